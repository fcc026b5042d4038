import type { QueryService } from '../aws/index.js';
import { assumeRole } from './assume-role.js';
import { assumeRoleWithWebIdentity } from './assume-role-with-web-identity.js';
import { getCallerIdentity } from './get-caller-identity.js';
import type { StsDeps } from './sts-deps.js';

export const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';
export const STS_VERSION = '2011-06-15';

/** STS as a Query service for src/aws's endpoint. */
export function createStsService(deps: StsDeps): QueryService {
  return {
    protocol: 'query',
    signingName: 'sts',
    version: STS_VERSION,
    xmlns: STS_XMLNS,
    // smithy.api#noAuth in the model.
    unsignedActions: ['AssumeRoleWithWebIdentity'],
    actions: {
      AssumeRoleWithWebIdentity: assumeRoleWithWebIdentity(deps),
      AssumeRole: assumeRole(deps),
      GetCallerIdentity: getCallerIdentity(),
    },
  };
}
