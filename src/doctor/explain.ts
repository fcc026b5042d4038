import { IrsakitError } from '../errors/index.js';
import { accessDeniedMessage, type Decision, evaluate, renderDecision } from '../policy/index.js';
import { annotations, podServiceAccount, ROLE_ARN_ANNOTATION } from './kube.js';
import { type LayerInfo, permissionInput } from './permission-input.js';
import type { Snapshot } from './types.js';

export interface ExplainRequest {
  roleArn?: string;
  pod?: string;
  namespace?: string;
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
}

export interface ExplainLayer extends LayerInfo {
  /** Statements of this layer that matched the request. */
  matched: number;
  decided: boolean;
}

export interface ExplainResult {
  principalArn: string;
  roleArn: string;
  action: string;
  resource: string;
  decision: Decision;
  /** AWS's sentence: the AccessDenied message, or the reason an Allow holds. */
  message: string;
  layers: ExplainLayer[];
  /** Referenced policies that could not be evaluated. */
  problems: string[];
  policies: { name: string; kind: string; arn?: string; text: string }[];
}

/** The full decision for a request made with a role's session (the role given, or the pod's ServiceAccount's). */
export function explain(snapshot: Snapshot, req: ExplainRequest): ExplainResult {
  let roleArn = req.roleArn;
  if (!roleArn) {
    if (!req.pod) throw new IrsakitError('ERR_USAGE', 'give --role ARN or --pod NAME');
    const ns = req.namespace ?? 'default';
    const pod = snapshot.pods.find(
      (p) => p.metadata?.name === req.pod && (p.metadata?.namespace ?? 'default') === ns,
    );
    if (!pod) throw new IrsakitError('ERR_NOT_FOUND', `pod ${ns}/${req.pod} is not in ${snapshot.source}`);
    const saName = podServiceAccount(pod);
    const sa = snapshot.serviceAccounts.find(
      (x) => x.metadata?.name === saName && (x.metadata?.namespace ?? 'default') === ns,
    );
    roleArn = annotations(sa)[ROLE_ARN_ANNOTATION];
    if (!roleArn) {
      throw new IrsakitError(
        'ERR_NOT_FOUND',
        `ServiceAccount ${ns}/${saName} of pod ${req.pod} has no ${ROLE_ARN_ANNOTATION} annotation (run irsakit doctor)`,
      );
    }
  }
  const role = snapshot.roles.find((r) => r.arn === roleArn);
  if (!role) throw new IrsakitError('ERR_NOT_FOUND', `role ${roleArn} is not in ${snapshot.source}`);
  const pi = permissionInput(snapshot, role, {
    action: req.action,
    resource: req.resource,
    ...(req.context ? { context: req.context } : {}),
  });
  const decision = evaluate(pi.input, { trace: true });
  const layers = pi.layers.map((l) => ({
    ...l,
    matched: (decision.trace ?? []).filter((t) => t.layer === l.layer && t.matched).length,
    decided: decision.decidedBy === l.layer,
  }));
  const message =
    decision.decision === 'Allow'
      ? `${pi.principalArn} is allowed to perform: ${req.action} on resource: "${req.resource}" ${decision.reason}`
      : accessDeniedMessage(pi.principalArn, req.action, req.resource, decision);
  return {
    principalArn: pi.principalArn,
    roleArn: role.arn,
    action: req.action,
    resource: req.resource,
    decision,
    message,
    layers,
    problems: pi.problems,
    policies: pi.policies.map((p) => ({
      name: p.name,
      kind: p.policy.kind,
      ...(p.arn ? { arn: p.arn } : {}),
      text: p.policy.text,
    })),
  };
}

/** The terminal view of an explanation: the layers, AWS's sentence, then the policies with deciding lines marked. */
export function renderExplain(r: ExplainResult, opts: { color: boolean }): string {
  const out = [`${r.action} on ${r.resource}`, `as ${r.principalArn}`, '', 'layers (in evaluation order):'];
  for (const l of r.layers) {
    const mark = l.decided ? '→' : ' ';
    const what = l.policies.length ? l.policies.join(', ') : '(none)';
    out.push(
      `  ${mark} ${l.layer.padEnd(8)} ${what}${l.matched ? `: ${l.matched} matching statement(s)` : ''}${l.note ? ` (${l.note})` : ''}${l.decided ? '  ← decided' : ''}`,
    );
  }
  for (const p of r.problems) out.push(`  not evaluated: ${p}`);
  out.push('', r.message, '');
  const texts: Record<string, string> = Object.fromEntries(r.policies.map((p) => [p.name, p.text]));
  out.push(renderDecision(r.decision, texts, opts));
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}
