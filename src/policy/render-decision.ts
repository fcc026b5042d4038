import type { Decision, NamedPolicy } from './types.js';

/** Policy texts by name, or the named policies themselves (their compiled form keeps the original text). */
export type PoliciesText = Readonly<Record<string, string>> | readonly NamedPolicy[];

const RED = '\u001b[31m';
const GREEN = '\u001b[32m';
const YELLOW = '\u001b[33m';
const BOLD = '\u001b[1m';
const DIM = '\u001b[2m';
const RESET = '\u001b[0m';

function textsByName(p: PoliciesText): Map<string, string> {
  const m = new Map<string, string>();
  if (Array.isArray(p)) for (const np of p as readonly NamedPolicy[]) m.set(np.name, np.policy.text);
  else for (const [k, v] of Object.entries(p as Record<string, string>)) m.set(k, v);
  return m;
}

/**
 * A terminal view of a decision: the verdict and AWS's reason, then each policy that took part with its
 * deciding statements highlighted (red for a deny, green for an allow) and its near misses marked (yellow), each
 * followed by what it got wrong. Without colour, `>` marks deciding lines and `~` near misses.
 */
export function renderDecision(d: Decision, policiesText: PoliciesText, opts: { color: boolean }): string {
  const c = (code: string, s: string) => (opts.color ? `${code}${s}${RESET}` : s);
  const texts = textsByName(policiesText);
  const out: string[] = [];
  const verdictColor = d.decision === 'Allow' ? GREEN : d.decision === 'ExplicitDeny' ? RED : YELLOW;
  out.push(`${c(BOLD + verdictColor, d.decision)}${d.reason ? ` ${d.reason}` : ''}`);
  if (d.decidedBy) out.push(c(DIM, `decided by: ${d.decidedBy}`));

  const order: string[] = [];
  for (const m of d.matchedStatements) if (!order.includes(m.policyName)) order.push(m.policyName);
  for (const n of d.nearMisses) if (!order.includes(n.policyName)) order.push(n.policyName);

  for (const name of order) {
    const text = texts.get(name);
    const kind =
      d.matchedStatements.find((m) => m.policyName === name)?.policyKind ??
      d.nearMisses.find((n) => n.policyName === name)?.policyKind;
    out.push('');
    out.push(c(BOLD, `── ${name}${kind ? ` (${kind})` : ''} ──`));
    if (text === undefined) {
      for (const m of d.matchedStatements.filter((x) => x.policyName === name)) {
        out.push(`  statement ${m.index}${m.sid ? ` (${m.sid})` : ''}, line ${m.line}: ${m.effect}`);
      }
      continue;
    }
    const lines = text.split('\n');
    const mark = new Map<number, { kind: 'allow' | 'deny' | 'near'; note?: string }>();
    for (const m of d.matchedStatements.filter((x) => x.policyName === name)) {
      for (let l = m.line; l <= m.endLine; l++) mark.set(l, { kind: m.effect === 'Deny' ? 'deny' : 'allow' });
    }
    for (const n of d.nearMisses.filter((x) => x.policyName === name)) {
      for (let l = n.line; l <= n.endLine; l++) if (!mark.has(l)) mark.set(l, { kind: 'near' });
      const last = mark.get(n.endLine);
      if (last && last.kind === 'near') last.note = n.message;
    }
    const width = String(lines.length).length;
    lines.forEach((line, i) => {
      const ln = i + 1;
      const m = mark.get(ln);
      const num = String(ln).padStart(width);
      if (!m) {
        out.push(`  ${c(DIM, `${num} │`)} ${line}`);
        return;
      }
      const sym = m.kind === 'near' ? '~' : '>';
      const col = m.kind === 'deny' ? RED : m.kind === 'allow' ? GREEN : YELLOW;
      out.push(c(col, `${sym} ${num} │ ${line}`));
      if (m.note) out.push(c(YELLOW, `  ${' '.repeat(width)} └─ ${m.note}`));
    });
  }

  if (d.nearMisses.length > 0) {
    out.push('');
    out.push(c(BOLD, 'near misses:'));
    for (const n of d.nearMisses) {
      out.push(
        `  - ${n.policyName} statement ${n.index}${n.sid ? ` (${n.sid})` : ''}, line ${n.line}: ${n.message}`,
      );
    }
  }
  if (d.missingContextKeys.length > 0) {
    out.push('');
    out.push(`missing context keys: ${d.missingContextKeys.join(', ')}`);
  }
  return `${out.join('\n')}\n`;
}
