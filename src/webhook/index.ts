export { applyPatch } from './apply-patch.js';
export {
  DEFAULT_POD_IDENTITY,
  DEFAULT_TOKEN_EXPIRATION,
  MIN_TOKEN_EXPIRATION,
  resolveWebhookConfig,
  type WebhookConfigInput,
} from './config.js';
export {
  createWebhookServer,
  stderrLogger,
  type WebhookLogEntry,
  type WebhookLogger,
  type WebhookServer,
  type WebhookServerOptions,
} from './create-webhook-server.js';
export {
  createFileServiceAccountSource,
  parseServiceAccounts,
} from './file-service-account-source.js';
export {
  ADMISSION_VERSIONS,
  type AdmissionDeps,
  type AdmissionOutcome,
  type AdmissionResponse,
  type AdmissionReviewResponse,
  handleAdmissionReview,
} from './handle-admission-review.js';
export {
  createKubernetesServiceAccountSource,
  type KubernetesServiceAccountSource,
  type KubernetesSourceOptions,
  loadKubeConfig,
} from './kubernetes-service-account-source.js';
export {
  createMemoryServiceAccountSource,
  type MemoryServiceAccountSource,
} from './memory-service-account-source.js';
export { createMetrics, type WebhookMetrics } from './metrics.js';
export {
  IRSA_VOLUME_NAME,
  type MutateOptions,
  mutate,
  POD_IDENTITY_LABEL,
  parseBool,
  parseExpiration,
} from './mutate.js';
export { parseSkipContainers } from './parse-skip-containers.js';
export { type LocalWebhookOptions, startLocalWebhook } from './start-local-webhook.js';
export type {
  Container,
  EnvVar,
  JsonPatchOp,
  MutationMode,
  MutationResult,
  ObjectMeta,
  Pod,
  PodIdentityConfig,
  PodSpec,
  ServiceAccount,
  ServiceAccountSource,
  SkipReason,
  Volume,
  VolumeMount,
  WebhookConfig,
} from './types.js';
