export {
  createImds,
  type Imds,
  type ImdsDeps,
  type ImdsRequestRecord,
  type PodAttachment,
} from './create-imds.js';
export {
  ec2Json,
  ec2Time,
  handleImdsRequest,
  type ImdsContext,
  type ImdsRequest,
  type ImdsResponse,
  MAX_TOKEN_TTL,
  MIN_TOKEN_TTL,
} from './handle-imds-request.js';
export {
  type Caller,
  DEFAULT_METADATA_OPTIONS,
  type InstanceIdentity,
  type InstanceProfile,
  type MetadataOptions,
  type SessionCredentials,
} from './types.js';
export { type MetadataOptionsInput, validateMetadataOptions } from './validate-metadata-options.js';
