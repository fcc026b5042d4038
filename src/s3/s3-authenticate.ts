import type { IncomingMessage } from 'node:http';
import type { AuthError, AuthenticatedRequest } from '../aws/index.js';
import { AwsError } from '../aws/index.js';
import type { ChunkSigning } from './aws-chunked.js';

/**
 * The SigV4 verifier as src/s3 receives it: src/aws's authenticateRequest with the credential store, service
 * "s3" and normalizePath false already applied. Returns null when the request carries no signature.
 */
export type S3Authenticate = (req: IncomingMessage, payloadHash: string) => AuthenticatedRequest | null;

/** What src/s3 knows about a request once its signature checked out (or it is anonymous). */
export interface S3Authentication {
  readonly verified: AuthenticatedRequest | null;
  /** s3:authType. */
  readonly authType: 'REST-HEADER' | 'REST-QUERY-STRING' | 'anonymous';
  /** x-amz-content-sha256 as signed (UNSIGNED-PAYLOAD for presigned URLs and anonymous requests). */
  readonly payloadHash: string;
  readonly signing?: ChunkSigning;
}

const SIG_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your key and signing method.';

function hexBytes(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** What the request claims, read loosely (for the extras of SignatureDoesNotMatch). */
function claimed(req: IncomingMessage, url: URL): { accessKeyId: string; signature: string } {
  const authz = req.headers.authorization ?? '';
  const cred =
    /Credential=([^/,\s]*)/.exec(authz)?.[1] ?? url.searchParams.get('X-Amz-Credential')?.split('/')[0];
  const sig = /Signature=([0-9a-fA-F]*)/.exec(authz)?.[1] ?? url.searchParams.get('X-Amz-Signature');
  return { accessKeyId: cred ?? '', signature: sig ?? '' };
}

/** src/aws's reasons in S3's vocabulary (S3 API reference, "List of error codes"). */
function s3AuthError(err: AuthError, req: IncomingMessage, url: URL, query: boolean, now: number): AwsError {
  switch (err.reason) {
    case 'mismatch': {
      const c = claimed(req, url);
      const sts = err.extra.StringToSign ?? '';
      const cr = err.extra.CanonicalRequest ?? '';
      return new AwsError('SignatureDoesNotMatch', SIG_MISMATCH, 403, 'Sender', {
        AWSAccessKeyId: c.accessKeyId,
        StringToSign: sts,
        SignatureProvided: c.signature,
        StringToSignBytes: hexBytes(sts),
        CanonicalRequest: cr,
        CanonicalRequestBytes: hexBytes(cr),
      });
    }
    case 'unknown-key': {
      const token = req.headers['x-amz-security-token'] ?? url.searchParams.get('X-Amz-Security-Token');
      const c = claimed(req, url);
      if (token && c.accessKeyId.startsWith('ASIA')) {
        return new AwsError('InvalidToken', 'The provided token is malformed or otherwise invalid.', 400);
      }
      return new AwsError(
        'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist in our records.',
        403,
        'Sender',
        { AWSAccessKeyId: c.accessKeyId },
      );
    }
    case 'expired-token':
      return new AwsError('ExpiredToken', 'The provided token has expired.', 400);
    case 'expired': {
      const amzDate = url.searchParams.get('X-Amz-Date') ?? '';
      const expires = url.searchParams.get('X-Amz-Expires') ?? '';
      const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
      const signed = m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : 0;
      return new AwsError('AccessDenied', 'Request has expired', 403, 'Sender', {
        'X-Amz-Expires': expires,
        Expires: new Date(signed + Number(expires) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        ServerTime: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      });
    }
    case 'skew':
      return new AwsError(
        'RequestTimeTooSkewed',
        'The difference between the request time and the current time is too large.',
        403,
      );
    case 'incomplete':
    case 'scope':
      return query
        ? new AwsError('AuthorizationQueryParametersError', err.message, 400)
        : new AwsError('AuthorizationHeaderMalformed', err.message, 400);
    default:
      return new AwsError('AccessDenied', 'Access Denied', 403);
  }
}

const PAYLOAD_MODES = new Set([
  'UNSIGNED-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
]);

/** Authenticates an S3 request: header or presigned SigV4, or anonymous when it carries no signature. */
export function authenticateS3(
  authenticate: S3Authenticate,
  req: IncomingMessage,
  url: URL,
  now: number,
): S3Authentication {
  const headerValue = req.headers['x-amz-content-sha256'];
  const query = req.headers.authorization === undefined && url.searchParams.has('X-Amz-Signature');
  const payloadHash = typeof headerValue === 'string' ? headerValue : query ? 'UNSIGNED-PAYLOAD' : '';
  if (payloadHash !== '' && !PAYLOAD_MODES.has(payloadHash) && !/^[0-9a-f]{64}$/.test(payloadHash)) {
    throw new AwsError(
      'InvalidArgument',
      'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.',
      400,
      'Sender',
      { ArgumentName: 'x-amz-content-sha256', ArgumentValue: payloadHash },
    );
  }
  let verified: AuthenticatedRequest | null;
  try {
    verified = authenticate(req, payloadHash === '' ? 'UNSIGNED-PAYLOAD' : payloadHash);
  } catch (err) {
    if (err instanceof AwsError && 'reason' in err) throw s3AuthError(err as AuthError, req, url, query, now);
    throw err;
  }
  if (verified === null)
    return { verified, authType: 'anonymous', payloadHash: payloadHash || 'UNSIGNED-PAYLOAD' };
  if (verified.form === 'header' && payloadHash === '') {
    throw new AwsError(
      'InvalidRequest',
      'Missing required header for this request: x-amz-content-sha256',
      400,
    );
  }
  return {
    verified,
    authType: verified.form === 'header' ? 'REST-HEADER' : 'REST-QUERY-STRING',
    payloadHash: payloadHash || 'UNSIGNED-PAYLOAD',
    signing: {
      signingKey: verified.signingKey,
      seedSignature: verified.seedSignature,
      scope: verified.scope,
      amzDate: verified.amzDate,
    },
  };
}
