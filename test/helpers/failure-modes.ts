/** The fifteen classic IRSA misconfigurations that the demo's scenarios (issue 8) and the doctor (issue 9) cover. */
export const FAILURE_MODES = [
  'missing-provider',
  'issuer-mismatch',
  'wrong-audience',
  'sub-mismatch',
  'aud-condition',
  'role-arn-typo',
  'pod-before-annotation',
  'webhook-down',
  'no-fsgroup',
  'bucket-vs-object-arn',
  'scp-deny',
  'boundary-deny',
  'imds-leak',
  'expired-token',
  'static-keys-override',
] as const;
