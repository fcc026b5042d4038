// irsakit doctor: why a pod cannot assume its role, as data (one check per module) and as a checklist.
export type { CheckContext, TokenVerifier } from './check-context.js';
export {
  type ExplainLayer,
  type ExplainRequest,
  type ExplainResult,
  explain,
  renderExplain,
} from './explain.js';
export { jwksVerifier } from './jwks-verifier.js';
export { type ExportDocument, loadFromDocuments, loadFromExports } from './load-from-exports.js';
export { type ControlRequest, type LiveOptions, loadLive } from './load-live.js';
export { policyText } from './policy-text.js';
export { renderReport } from './render-report.js';
export { CHECKS, type DoctorOptions, runDoctor } from './run-doctor.js';
export type {
  CheckId,
  CheckResult,
  CheckStatus,
  ClusterRecord,
  DoctorReport,
  Fix,
  KubeObj,
  NodeRecord,
  OidcProviderRecord,
  PodToken,
  PolicyDoc,
  RoleRecord,
  Snapshot,
  Subject,
  WebhookState,
} from './types.js';
