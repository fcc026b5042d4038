import {
  type CheckResult,
  type DoctorReport,
  explain,
  loadLive,
  runDoctor,
  type Subject,
} from '../doctor/index.js';
import type { DemoContext } from './context.js';

/** What `irsakit doctor` and `irsakit explain` read from a running instance. */
async function snapshotOf(ctx: DemoContext) {
  const t = ctx.target;
  return loadLive(t.control, `irsakit at ${t.aws}`, {
    aws: { endpoint: t.aws, credentials: t.admin, region: t.region },
  });
}

/**
 * `irsakit explain`: the full evaluation of one request made with the role's session, reduced to what decided
 * it (the deciding layer, AWS's phrase, and the statements that matched, by policy, Sid and line).
 */
export async function explainFor(
  ctx: DemoContext,
  roleArn: string,
  action: string,
  resource: string,
): Promise<Record<string, unknown>> {
  const { snapshot } = await snapshotOf(ctx);
  const r = explain(snapshot, { roleArn, action, resource });
  return {
    decision: r.decision.decision,
    decidedBy: r.decision.decidedBy,
    message: r.message,
    matched: r.decision.matchedStatements.map(
      (m) =>
        `${m.policyName} (${m.policyKind}) statement ${m.index}${m.sid ? ` ${m.sid}` : ''}, line ${m.line}: ${m.effect}`,
    ),
  };
}

/** `irsakit doctor` against the demo's instance: every check for one pod. */
export async function doctorFor(ctx: DemoContext, subject: Subject): Promise<DoctorReport> {
  const { snapshot, mintToken } = await snapshotOf(ctx);
  return runDoctor(snapshot, subject, { mintToken });
}

/** The doctor's findings in a record's data: failing (and warning) checks with their evidence and fix. */
export function findings(
  report: DoctorReport,
): { check: string; status: string; evidence: string[]; fix?: CheckResult['fix'] }[] {
  return report.checks
    .filter((c) => c.status === 'fail' || c.status === 'warn')
    .map((c) => ({ check: c.id, status: c.status, evidence: c.evidence, ...(c.fix ? { fix: c.fix } : {}) }));
}
