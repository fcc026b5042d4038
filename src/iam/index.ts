export { AWS_MANAGED_POLICIES, type AwsManagedPolicy } from './aws-managed-policies.js';
export {
  createIam,
  IAM_XMLNS,
  type Iam,
  type IamOptions,
  type InstanceProfileInfo,
  type OpenIdConnectProviderInfo,
  type RoleInfo,
} from './create-iam.js';
export type { Tag } from './iam-params.js';
export { IAM_MIGRATIONS } from './migrations.js';
export type {
  OrganizationLevels,
  OrganizationPolicySource,
  PrincipalPolicies,
} from './principal-policies.js';
