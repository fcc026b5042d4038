import type { AwsContext, QueryResult } from '../aws/index.js';

/** GetCallerIdentity needs no permission ("No permissions are required to perform this operation"). */
export function getCallerIdentity() {
  return async (_params: unknown, ctx: AwsContext): Promise<QueryResult> => ({
    UserId: ctx.caller.userId,
    Account: ctx.caller.accountId,
    Arn: ctx.caller.arn,
  });
}
