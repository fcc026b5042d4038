import type { CompiledPolicy, SourceRange } from './types.js';

/** Where statement `index` sits in the policy's original text (for rendering and editors). */
export function statementRange(policy: CompiledPolicy, index: number): SourceRange | undefined {
  return policy.statements[index]?.range;
}

/** The statement's own text, exactly as written. */
export function statementText(policy: CompiledPolicy, index: number): string | undefined {
  const r = statementRange(policy, index);
  return r === undefined ? undefined : policy.text.slice(r.start.offset, r.end.offset);
}
