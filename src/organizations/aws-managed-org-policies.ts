import { RCP, SCP } from './org-deps.js';

/** The AWS managed Organizations policies every organization has (orgs_manage_policies_scps, _rcps). */
export interface AwsOrgPolicy {
  readonly id: string;
  readonly type: typeof SCP | typeof RCP;
  readonly name: string;
  readonly description: string;
  readonly arn: string;
  readonly content: string;
}

const FULL = (principal: boolean) =>
  JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', ...(principal ? { Principal: '*' } : {}), Action: '*', Resource: '*' }],
    },
    null,
    4,
  );

export const FULL_AWS_ACCESS: AwsOrgPolicy = {
  id: 'p-FullAWSAccess',
  type: SCP,
  name: 'FullAWSAccess',
  description: 'Allows access to every operation',
  arn: 'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess',
  content: FULL(false),
};

/** Attached to every root, OU and account and impossible to detach: RCPs can only take access away. */
export const RCP_FULL_AWS_ACCESS: AwsOrgPolicy = {
  id: 'p-RCPFullAWSAccess',
  type: RCP,
  name: 'RCPFullAWSAccess',
  description: 'Allows access to every operation',
  arn: 'arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess',
  content: FULL(true),
};

export const AWS_ORG_POLICIES: readonly AwsOrgPolicy[] = [FULL_AWS_ACCESS, RCP_FULL_AWS_ACCESS];
