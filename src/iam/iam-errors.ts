import { AwsError } from '../aws/service.js';

/** IAM's wire errors, with the HTTP status and the message text AWS uses (research/sts.md §3.2, iam.md §2.10). */
export const noSuchEntity = (message: string) => new AwsError('NoSuchEntity', message, 404);
export const entityAlreadyExists = (message: string) => new AwsError('EntityAlreadyExists', message, 409);
export const deleteConflict = (message: string) => new AwsError('DeleteConflict', message, 409);
export const limitExceeded = (message: string) => new AwsError('LimitExceeded', message, 409);
export const invalidInput = (message: string) => new AwsError('InvalidInput', message, 400);
export const malformedPolicyDocument = (message: string) =>
  new AwsError('MalformedPolicyDocument', message, 400);

export const roleNotFound = (name: string) => noSuchEntity(`The role with name ${name} cannot be found.`);
export const policyNotFound = (arn: string) => noSuchEntity(`Policy ${arn} was not found.`);
export const policyNotAttachable = (arn: string) =>
  noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
export const providerNotFound = (arn: string) =>
  noSuchEntity(`OpenIDConnect Provider not found for arn ${arn}`);
export const instanceProfileNotFound = (name: string) =>
  noSuchEntity(`Instance Profile ${name} cannot be found.`);
