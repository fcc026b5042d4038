export { type AdmissionResult, admit, type WebhookTrace } from './admission.js';
export {
  type ApiServer,
  type ApplyAction,
  LAST_APPLIED,
  type ManifestReport,
  type ObjectResult,
} from './api-server.js';
export { containerEnv, expand, mountMap, resolvePath } from './container-env.js';
export {
  type Cluster,
  type ClusterDeps,
  type ClusterImdsDeps,
  createCluster,
  DEFAULT_WEBHOOK_CONFIGURATION,
} from './create-cluster.js';
export { decodeObject } from './decode-object.js';
export {
  age,
  describeObject,
  formatObjects,
  formatTable,
  type KindInfo,
  KNOWN_KIND_NAMES,
  kubectlError,
  podStatusText,
  resolveKind,
  serverError,
} from './format.js';
export { applyJsonPatch, type PatchOp } from './json-patch.js';
export type { Kubelet, TokenMinter } from './kubelet.js';
export { matchesSelector } from './label-selector.js';
export type { ClusterNode, NodeRecord } from './node.js';
export { parseManifests } from './parse-manifests.js';
export { podPhase, tokenNeedsRefresh } from './pod-phase.js';
export { fsUserFrom, projectedFileMode } from './pod-volumes.js';
export { KINDS } from './schema.js';
export { storeServiceAccountSource } from './service-account-source.js';
export { isStatusError, StatusError } from './status.js';
export type * from './types.js';
