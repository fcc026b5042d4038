import { AwsError } from './service.js';

/**
 * Why authentication failed, independent of the wire code, so that a service with its own vocabulary (S3 says
 * InvalidAccessKeyId where STS says InvalidClientTokenId) can map it.
 */
export type AuthFailureReason =
  | 'missing' // no signature at all on an action that needs one
  | 'incomplete' // the Authorization header or presigned query is malformed
  | 'scope' // credential scope names another service, a bad region or terminator, or a mismatched date
  | 'skew' // the signing time is more than 15 minutes away from the server clock
  | 'expired' // a presigned request is past X-Amz-Expires
  | 'unknown-key' // the access key id is not the administrator's nor a valid STS-issued key
  | 'expired-token' // the STS session is past its Expiration
  | 'mismatch'; // the signature does not match

/** An authentication failure: an AwsError with AWS's code, status and message, plus the reason. */
export class AuthError extends AwsError {
  readonly reason: AuthFailureReason;
  constructor(reason: AuthFailureReason, code: string, message: string, status: number, extra = {}) {
    super(code, message, status, 'Sender', extra);
    this.name = 'AuthError';
    this.reason = reason;
  }
}

/** AWS's exact texts for the common authentication errors of the Query and JSON protocols. */
export const AUTH_MESSAGES = {
  invalidClientTokenId: 'The security token included in the request is invalid.',
  expiredToken: 'The security token included in the request is expired',
  missingAuthenticationToken: 'Request is missing Authentication Token',
  signatureDoesNotMatch:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  requestExpired: 'Request has expired.',
} as const;

export const authErrors = {
  missing: () =>
    new AuthError('missing', 'MissingAuthenticationToken', AUTH_MESSAGES.missingAuthenticationToken, 403),
  incomplete: (message: string) => new AuthError('incomplete', 'IncompleteSignature', message, 400),
  scope: (message: string) => new AuthError('scope', 'SignatureDoesNotMatch', message, 403),
  skew: (message: string) => new AuthError('skew', 'SignatureDoesNotMatch', message, 403),
  expired: () => new AuthError('expired', 'RequestExpired', AUTH_MESSAGES.requestExpired, 400),
  unknownKey: () =>
    new AuthError('unknown-key', 'InvalidClientTokenId', AUTH_MESSAGES.invalidClientTokenId, 403),
  expiredToken: () => new AuthError('expired-token', 'ExpiredToken', AUTH_MESSAGES.expiredToken, 400),
  mismatch: (canonicalRequest: string, stringToSign: string) =>
    new AuthError(
      'mismatch',
      'SignatureDoesNotMatch',
      // Query/JSON services append what they computed, which is what makes the error debuggable.
      `${AUTH_MESSAGES.signatureDoesNotMatch}\n\nThe Canonical String for this request should have been\n'${canonicalRequest}'\n\nThe String-to-Sign should have been\n'${stringToSign}'\n`,
      403,
      { CanonicalRequest: canonicalRequest, StringToSign: stringToSign },
    ),
};

/** Common Query/JSON protocol errors. */
export const commonErrors = {
  accessDenied: (message: string) => new AwsError('AccessDenied', message, 403),
  validation: (message: string) => new AwsError('ValidationError', message, 400),
  missingAction: () => new AwsError('MissingAction', 'Missing Action', 400),
  invalidAction: (action: string, version: string) =>
    new AwsError('InvalidAction', `Could not find operation ${action} for version ${version}`, 400),
  unknownOperation: () => new AwsError('UnknownOperationException', '', 400),
  serializationError: (message: string) => new AwsError('SerializationException', message, 400),
  tooLarge: (limit: number) =>
    new AwsError('RequestEntityTooLarge', `Request body must be at most ${limit} bytes`, 413),
  malformedQuery: (message: string) => new AwsError('MalformedQueryString', message, 404),
  internal: () =>
    new AwsError(
      'InternalFailure',
      'The request processing has failed because of an unknown error.',
      500,
      'Receiver',
    ),
};

/**
 * "N validation error(s) detected: …; …" — the Coral validation wording STS and IAM use for model constraints.
 * Each item reads "Value '<v>' at '<field>' failed to satisfy constraint: Member must …".
 */
export function validationError(problems: readonly string[]): AwsError {
  const n = problems.length;
  return commonErrors.validation(
    `${n} validation error${n === 1 ? '' : 's'} detected: ${problems.join('; ')}`,
  );
}
