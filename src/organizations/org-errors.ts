import { AwsError } from '../aws/service.js';

/** Organizations' wire errors (JSON 1.1 `__type`), with the messages AWS returns. */
const err = (code: string, message: string) => new AwsError(code, message, 400);

export const orgErrors = {
  accessDenied: () => err('AccessDeniedException', "You don't have permissions to access this resource."),
  policyNotFound: () =>
    err('PolicyNotFoundException', "We can't find a policy with the PolicyId that you specified."),
  targetNotFound: () =>
    err('TargetNotFoundException', "We can't find a root, OU, account, or email that you specified."),
  duplicateAttachment: () =>
    err(
      'DuplicatePolicyAttachmentException',
      'The selected policy is already attached to the specified target.',
    ),
  notAttached: () =>
    err(
      'PolicyNotAttachedException',
      "The policy isn't attached to the specified target in the specified root.",
    ),
  duplicatePolicy: () => err('DuplicatePolicyException', 'A policy with the same name already exists.'),
  malformed: () =>
    err(
      'MalformedPolicyDocumentException',
      "The provided policy document doesn't meet the requirements of the specified policy type.",
    ),
  policyInUse: () =>
    err(
      'PolicyInUseException',
      'The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.',
    ),
  parentNotFound: () =>
    err('ParentNotFoundException', "We can't find a root or OU with the ParentId that you specified."),
  ouNotFound: () =>
    err(
      'OrganizationalUnitNotFoundException',
      "We can't find an OU with the OrganizationalUnitId that you specified.",
    ),
  ouNotEmpty: () =>
    err(
      'OrganizationalUnitNotEmptyException',
      'The specified OU is not empty. Move all accounts to another root or OU and delete all child OUs, and try again.',
    ),
  duplicateOu: () => err('DuplicateOrganizationalUnitException', 'An OU with the same name already exists.'),
  accountNotFound: () =>
    err('AccountNotFoundException', "We can't find an AWS account with the AccountId that you specified."),
  sourceParentNotFound: () =>
    err(
      'SourceParentNotFoundException',
      "We can't find a source root or OU with the ParentId that you specified.",
    ),
  destinationParentNotFound: () =>
    err(
      'DestinationParentNotFoundException',
      "We can't find the destination container (a root or OU) with the ParentId that you specified.",
    ),
  duplicateAccount: () =>
    err('DuplicateAccountException', 'That account is already present in the specified destination.'),
  policyTypeNotEnabled: () =>
    err('PolicyTypeNotEnabledException', 'This operation can be performed only for enabled policy types.'),
  childNotFound: () =>
    err(
      'ChildNotFoundException',
      "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.",
    ),
  constraint: (reason: string, message: string) =>
    new AwsError('ConstraintViolationException', message, 400, 'Sender', { Reason: reason }),
  invalidInput: (reason: string, message: string) =>
    new AwsError('InvalidInputException', message, 400, 'Sender', { Reason: reason }),
};
