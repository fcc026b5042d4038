import { type NamedPolicy, type PolicyKind, parsePolicy } from '../policy/index.js';

export type Compiled = { ok: true; named: NamedPolicy } | { ok: false; problem: string };

/**
 * Compiles an exported policy document. AWS already accepted these documents, so no size quota is applied;
 * a document the engine cannot parse is reported with its position, never thrown.
 */
export function compile(text: string, kind: PolicyKind, name: string, arn?: string): Compiled {
  const r = parsePolicy(text, { kind, name, limit: 'none' });
  if (!r.ok) {
    const at = r.error.line
      ? ` at line ${r.error.line}${r.error.column ? `, column ${r.error.column}` : ''}`
      : '';
    return { ok: false, problem: `${name}: ${r.error.code}: ${r.error.message}${at}` };
  }
  return { ok: true, named: { name, ...(arn ? { arn } : {}), policy: r.policy } };
}
