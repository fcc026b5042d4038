import type { Resolved } from './resolve-subject.js';
import type { CheckResult, Snapshot, Subject } from './types.js';

/** Verifies a JWT's signature for an issuer; `unavailable` when no keys are known (the check then skips). */
export type TokenVerifier = (
  token: string,
  issuer: string,
) => Promise<
  { status: 'valid' } | { status: 'invalid'; reason: string } | { status: 'unavailable'; reason: string }
>;

export interface CheckContext {
  subject: Subject;
  /** ms since the epoch: the instant tokens are judged at. */
  now: number;
  verifier: TokenVerifier;
}

export type Check = (snap: Snapshot, r: Resolved, ctx: CheckContext) => CheckResult | Promise<CheckResult>;
