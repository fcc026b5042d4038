export {
  AWS_ORG_POLICIES,
  type AwsOrgPolicy,
  FULL_AWS_ACCESS,
  RCP_FULL_AWS_ACCESS,
} from './aws-managed-org-policies.js';
export {
  createOrganizations,
  managementAccountFor,
  type Organizations,
  type OrganizationsOptions,
} from './create-organizations.js';
export { ORGANIZATIONS_MIGRATIONS } from './migrations.js';
