/**
 * The demo's data model. Every step and every scenario phase returns a StepRecord; rendering (text or one JSON
 * object per line) is separate, so what the demo asserts is exactly what --json reports.
 */
export interface StepRecord {
  /** Stable id: "1-oidc-provider" … "10-troubleshooting", or "<scenario>:symptom|cause|fix". */
  readonly id: string;
  readonly title: string;
  /** What happens, in one sentence. */
  readonly sentence: string;
  /** The equivalent commands against real EKS/AWS, exactly as a user would type them. */
  readonly command: readonly string[];
  /** The data that matters (claims, ARNs, messages, decisions). */
  readonly data: Record<string, unknown>;
  /** True when the step behaved exactly as described. */
  readonly ok: boolean;
  /** What differed from the description, when ok is false. */
  readonly deviation?: string;
  /** Milliseconds the step took. */
  readonly ms?: number;
}

/** A check inside a step: the first failing one becomes the record's deviation. */
export class Expectations {
  readonly failures: string[] = [];

  that(cond: unknown, what: string): boolean {
    if (!cond) this.failures.push(what);
    return Boolean(cond);
  }

  equal(actual: unknown, expected: unknown, what: string): boolean {
    const a = JSON.stringify(actual);
    const e = JSON.stringify(expected);
    return this.that(a === e, `${what}: expected ${e}, got ${a}`);
  }

  match(actual: unknown, re: RegExp, what: string): boolean {
    return this.that(
      typeof actual === 'string' && re.test(actual),
      `${what}: expected ${re}, got ${JSON.stringify(actual)}`,
    );
  }
}

/** Builds a StepRecord from a body that fills `data` and states its expectations. */
export async function step(
  head: { id: string; title: string; sentence: string; command: readonly string[] },
  body: (data: Record<string, unknown>, expect: Expectations) => Promise<void>,
  now: () => number = Date.now,
): Promise<StepRecord> {
  const data: Record<string, unknown> = {};
  const expect = new Expectations();
  const t0 = now();
  try {
    await body(data, expect);
  } catch (err) {
    expect.failures.push(`${(err as Error).name}: ${(err as Error).message}`);
  }
  const ms = now() - t0;
  return expect.failures.length === 0
    ? { ...head, data, ok: true, ms }
    : { ...head, data, ok: false, deviation: expect.failures.join('; '), ms };
}
