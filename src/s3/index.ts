export { AwsChunkedDecoder, type AwsChunkedOptions, type ChunkSigning } from './aws-chunked.js';
export { type BlobStore, fileBlobStore } from './blob-store.js';
export { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm } from './checksums.js';
export { crc32, crc32c } from './crc.js';
export { addressOf, createS3Service, route, type S3Service } from './create-s3-service.js';
export { s3Migrations } from './migrations.js';
export { INLINE_MAX } from './object-operations.js';
export type { S3Authenticate, S3Authentication } from './s3-authenticate.js';
export type { PoliciesFor, PrincipalPolicies, S3Log, S3ServiceOptions } from './types.js';
