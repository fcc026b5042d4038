import { AwsError } from '../aws/service.js';
import { type CompiledPolicy, type PolicyKind, type PolicyLimitKind, parsePolicy } from '../policy/index.js';
import { limitExceeded, malformedPolicyDocument } from './iam-errors.js';

/** Parses a document for a write, turning the engine's verdict into IAM's wire error. */
export function compileForWrite(
  text: string,
  kind: PolicyKind,
  limit: PolicyLimitKind,
  name: string,
): CompiledPolicy {
  const res = parsePolicy(text, { kind, limit, name });
  if (res.ok) return res.policy;
  if (res.error.code === 'LimitExceeded') throw limitExceeded(res.error.message);
  throw malformedPolicyDocument(res.error.message);
}

/**
 * Compiled policies keyed by (id, revision): a stored document is parsed once per revision, so the
 * request path (STS trust checks, S3 authorization) never re-parses JSON. Bounded: the oldest entry goes
 * first when full.
 */
export class PolicyCache {
  private readonly entries = new Map<string, CompiledPolicy>();

  constructor(private readonly max = 10_000) {}

  get(id: string, rev: string, text: string, kind: PolicyKind, name: string): CompiledPolicy {
    const key = `${kind}\u0000${id}\u0000${rev}`;
    const hit = this.entries.get(key);
    if (hit) return hit;
    // Stored documents were validated on write; no size limit here, so a quota change never hides one.
    const res = parsePolicy(text, { kind, name });
    if (!res.ok) {
      throw new AwsError(
        'ServiceFailure',
        `stored policy ${name} no longer parses: ${res.error.message}`,
        500,
        'Receiver',
      );
    }
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, res.policy);
    return res.policy;
  }
}
