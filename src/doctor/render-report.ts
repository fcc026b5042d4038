import type { DoctorReport } from './types.js';

const MARK = { pass: '✓', fail: '✗', warn: '!', skip: '-' } as const;
const COLOR = { pass: '\u001b[32m', fail: '\u001b[31m', warn: '\u001b[33m', skip: '\u001b[2m' } as const;
const RESET = '\u001b[0m';

/** The doctor's checklist: one line per check with its mark, then its evidence and, for failures, the fix. */
export function renderReport(
  report: DoctorReport,
  opts: { color: boolean; warnings?: readonly string[] },
): string {
  const c = (s: keyof typeof MARK, t: string) => (opts.color ? `${COLOR[s]}${t}${RESET}` : t);
  const s = report.subject;
  const out = [
    `irsakit doctor: ${s.pod ? `pod ${s.namespace}/${s.pod}, ` : ''}ServiceAccount ${s.namespace}/${s.serviceAccount}${s.roleArn ? `, role ${s.roleArn}` : ''}`,
    `source: ${report.source}${s.cluster ? ` (cluster ${s.cluster})` : ''}`,
    '',
  ];
  report.checks.forEach((ch, i) => {
    out.push(
      `${c(ch.status, `${MARK[ch.status]} ${i + 1}. ${ch.title}`)}${ch.status === 'pass' ? '' : ` [${ch.status}]`}`,
    );
    for (const e of ch.evidence) out.push(`     ${e}`);
    if (ch.fix && ch.status !== 'pass') {
      out.push(`     fix: ${ch.fix.summary}`);
      if (ch.fix.command) out.push(`       $ ${ch.fix.command}`);
      if (ch.fix.policyDiff) for (const l of ch.fix.policyDiff.split('\n')) out.push(`       ${l}`);
    }
  });
  for (const w of opts.warnings ?? []) out.push(`note: ${w}`);
  const failed = report.checks.filter((x) => x.status === 'fail').length;
  const warned = report.checks.filter((x) => x.status === 'warn').length;
  out.push(
    '',
    failed
      ? c('fail', `${failed} check(s) failed${warned ? `, ${warned} warning(s)` : ''}`)
      : c('pass', `no check failed${warned ? ` (${warned} warning(s))` : ''}`),
  );
  return `${out.join('\n')}\n`;
}
