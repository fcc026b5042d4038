import type { Check, TokenVerifier } from './check-context.js';
import { checkCredentialPrecedence } from './check-credential-precedence.js';
import { checkImds } from './check-imds.js';
import { checkOidcProvider } from './check-oidc-provider.js';
import { checkPermissions } from './check-permissions.js';
import { checkPodMutation } from './check-pod-mutation.js';
import { checkServiceAccount } from './check-service-account.js';
import { checkToken } from './check-token.js';
import { checkTrustPolicy } from './check-trust-policy.js';
import { jwksVerifier } from './jwks-verifier.js';
import { type ResolveOptions, resolveSubject } from './resolve-subject.js';
import type { CheckResult, DoctorReport, Snapshot, Subject } from './types.js';

/** The checks, in the order an SRE runs them (issue 9; audit §1.1). */
export const CHECKS: readonly Check[] = [
  checkOidcProvider,
  checkServiceAccount,
  checkPodMutation,
  checkTrustPolicy,
  checkToken,
  checkPermissions,
  checkImds,
  checkCredentialPrecedence,
];

export interface DoctorOptions extends ResolveOptions {
  /** ms since the epoch; tokens are judged at this instant (default: now). */
  now?: () => number;
  /** Signature verification; defaults to the snapshot's JWKS. */
  verifier?: TokenVerifier;
}

/** Runs every check for one pod or ServiceAccount. Findings are data; only an unknown subject throws. */
export async function runDoctor(
  snapshot: Snapshot,
  subject: Subject,
  opts: DoctorOptions = {},
): Promise<DoctorReport> {
  const r = await resolveSubject(snapshot, subject, opts);
  const ctx = {
    subject,
    now: (opts.now ?? Date.now)(),
    verifier: opts.verifier ?? jwksVerifier(snapshot.jwks),
  };
  const checks: CheckResult[] = [];
  for (const check of CHECKS) checks.push(await check(snapshot, r, ctx));
  return {
    subject: {
      namespace: r.namespace,
      ...(r.podName ? { pod: r.podName } : {}),
      serviceAccount: r.saName,
      ...(r.roleArnValue ? { roleArn: r.roleArnValue } : {}),
      ...(r.cluster ? { cluster: r.cluster.name } : {}),
    },
    source: snapshot.source,
    checks,
    ok: checks.every((c) => c.status !== 'fail'),
  };
}
