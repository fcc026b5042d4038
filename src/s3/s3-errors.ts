import { AwsError } from '../aws/index.js';
import { escapeXml } from './xml.js';

/** S3's error codes with their status and AWS's message text (S3 API reference, "Error responses"). */
export const s3Errors = {
  noSuchBucket: (bucket: string) =>
    new AwsError('NoSuchBucket', 'The specified bucket does not exist', 404, 'Sender', {
      BucketName: bucket,
    }),
  noSuchKey: (key: string) =>
    new AwsError('NoSuchKey', 'The specified key does not exist.', 404, 'Sender', { Key: key }),
  bucketAlreadyOwnedByYou: (bucket: string) =>
    new AwsError(
      'BucketAlreadyOwnedByYou',
      'Your previous request to create the named bucket succeeded and you already own it.',
      409,
      'Sender',
      { BucketName: bucket },
    ),
  bucketAlreadyExists: (bucket: string) =>
    new AwsError(
      'BucketAlreadyExists',
      'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
      409,
      'Sender',
      { BucketName: bucket },
    ),
  bucketNotEmpty: (bucket: string) =>
    new AwsError('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, 'Sender', {
      BucketName: bucket,
    }),
  invalidBucketName: (bucket: string) =>
    new AwsError('InvalidBucketName', 'The specified bucket is not valid.', 400, 'Sender', {
      BucketName: bucket,
    }),
  noSuchBucketPolicy: (bucket: string) =>
    new AwsError('NoSuchBucketPolicy', 'The bucket policy does not exist', 404, 'Sender', {
      BucketName: bucket,
    }),
  noSuchTagSet: (bucket: string) =>
    new AwsError('NoSuchTagSet', 'The TagSet does not exist', 404, 'Sender', { BucketName: bucket }),
  malformedPolicy: (message: string) => new AwsError('MalformedPolicy', message, 400),
  noSuchUpload: (uploadId: string) =>
    new AwsError(
      'NoSuchUpload',
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      404,
      'Sender',
      { UploadId: uploadId },
    ),
  invalidPart: () =>
    new AwsError(
      'InvalidPart',
      "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
      400,
    ),
  invalidPartOrder: () =>
    new AwsError(
      'InvalidPartOrder',
      'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
      400,
    ),
  entityTooSmall: () =>
    new AwsError(
      'EntityTooSmall',
      'Your proposed upload is smaller than the minimum allowed object size.',
      400,
    ),
  entityTooLarge: (size: number, max: number) =>
    new AwsError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400, 'Sender', {
      ProposedSize: String(size),
      MaxSizeAllowed: String(max),
    }),
  invalidRange: (range: string, size: number) =>
    new AwsError('InvalidRange', 'The requested range is not satisfiable', 416, 'Sender', {
      RangeRequested: range,
      ActualObjectSize: String(size),
    }),
  badDigest: () =>
    new AwsError('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400),
  badChecksum: (alg: string) =>
    new AwsError('BadDigest', `The ${alg} you specified did not match the calculated checksum.`, 400),
  invalidDigest: () => new AwsError('InvalidDigest', 'The Content-MD5 you specified is not valid.', 400),
  contentSha256Mismatch: (client: string, computed: string) =>
    new AwsError(
      'XAmzContentSHA256Mismatch',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
      400,
      'Sender',
      { ClientComputedContentSHA256: client, S3ComputedContentSHA256: computed },
    ),
  malformedXml: () =>
    new AwsError(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
      400,
    ),
  invalidArgument: (message: string, name?: string, value?: string) =>
    new AwsError(
      'InvalidArgument',
      message,
      400,
      'Sender',
      name === undefined ? {} : { ArgumentName: name, ArgumentValue: value ?? '' },
    ),
  invalidRequest: (message: string) => new AwsError('InvalidRequest', message, 400),
  preconditionFailed: (condition: string) =>
    new AwsError(
      'PreconditionFailed',
      'At least one of the pre-conditions you specified did not hold',
      412,
      'Sender',
      {
        Condition: condition,
      },
    ),
  notModified: () => new AwsError('NotModified', 'Not Modified', 304),
  methodNotAllowed: (method: string) =>
    new AwsError(
      'MethodNotAllowed',
      'The specified method is not allowed against this resource.',
      405,
      'Sender',
      {
        Method: method,
      },
    ),
  notImplemented: () =>
    new AwsError(
      'NotImplemented',
      'A header you provided implies functionality that is not implemented',
      501,
    ),
  missingContentLength: () =>
    new AwsError('MissingContentLength', 'You must provide the Content-Length HTTP header.', 411),
  metadataTooLarge: () =>
    new AwsError('MetadataTooLarge', 'Your metadata headers exceed the maximum allowed metadata size.', 400),
  keyTooLong: () => new AwsError('KeyTooLongError', 'Your key is too long', 400),
  invalidUri: () => new AwsError('InvalidURI', "Couldn't parse the specified URI.", 400),
  invalidTag: (message: string) => new AwsError('InvalidTag', message, 400),
  accessDenied: (message = 'Access Denied') => new AwsError('AccessDenied', message, 403),
  internal: () =>
    new AwsError('InternalError', 'We encountered an internal error. Please try again.', 500, 'Receiver'),
};

/**
 * S3's REST XML error body: <Error><Code/><Message/>…extras…<RequestId/><HostId/></Error>. Extras carry what S3
 * adds per code (BucketName, Key, Resource, and for SignatureDoesNotMatch AWSAccessKeyId, StringToSign,
 * SignatureProvided, CanonicalRequest and their …Bytes forms).
 */
export function renderS3Error(err: AwsError, requestId: string, hostId: string, resource?: string): string {
  let extras = '';
  const fields = { ...err.extra };
  if (
    resource !== undefined &&
    fields.Resource === undefined &&
    !('BucketName' in fields) &&
    !('Key' in fields)
  ) {
    fields.Resource = resource;
  }
  for (const [k, v] of Object.entries(fields)) extras += `<${k}>${escapeXml(v)}</${k}>`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message>${extras}` +
    `<RequestId>${escapeXml(requestId)}</RequestId><HostId>${escapeXml(hostId)}</HostId></Error>`
  );
}
