import type { ContainerStatus, PodPhase, PodSpec } from './types.js';

/**
 * The kubelet's getPhase: Pending until the init containers are done and every container has started;
 * then Running, Succeeded or Failed from the containers' states and the restart policy.
 */
export function podPhase(
  spec: PodSpec,
  init: readonly ContainerStatus[],
  main: readonly ContainerStatus[],
): PodPhase {
  const policy = spec.restartPolicy ?? 'Always';
  for (const s of init) {
    const t = s.state.terminated;
    if (t && t.exitCode !== 0 && policy === 'Never') return 'Failed';
    if (t?.exitCode !== 0) return 'Pending';
  }
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of main) {
    if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.lastState.terminated) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    return policy === 'OnFailure' ? 'Running' : 'Failed';
  }
  return 'Pending';
}

/** The kubelet's token manager (requiresRefresh): rewrite at 80% of the lifetime, or once 24 h old. */
export function tokenNeedsRefresh(issuedAtMs: number, expiresAtMs: number, nowMs: number): boolean {
  if (nowMs >= expiresAtMs) return true;
  const ttl = expiresAtMs - issuedAtMs;
  const age = nowMs - issuedAtMs;
  return age > 0.8 * ttl || age > 24 * 3_600_000;
}
