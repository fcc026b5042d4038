import { type CompiledCondition, evalCondition } from './conditions.js';
import { globDisplay } from './glob.js';
import { matchPrincipal, PM_NONE } from './principals.js';
import type { RequestView } from './request-view.js';
import { parseTemplate, resolveTemplate } from './template.js';
import type {
  CompiledStatement,
  DecidingLayer,
  EvaluationInput,
  NamedPolicy,
  NearMiss,
  NearMissField,
  PolicyKind,
  TraceEntry,
} from './types.js';

interface Failure {
  field: NearMissField;
  message: string;
  key?: string;
  operator?: string;
  expected?: string[];
  actual?: string[];
}

const code = (s: string) => `\`${s}\``;

function list(values: readonly string[]): string {
  return values.length === 1 ? values[0]! : `[${values.join(', ')}]`;
}

/** Every element of a statement that does not match the request, each with a sentence that says why. */
export function diagnose(st: CompiledStatement, view: RequestView, hasBoundary: boolean): Failure[] {
  const out: Failure[] = [];
  if (!st.actions.match(view.actionLower)) {
    const pats = st.actions.patterns;
    out.push({
      field: 'Action',
      message: st.actions.negated
        ? `${code(`NotAction ${list(pats)}`)} excludes ${code(view.action)}`
        : `${code(`Action ${list(pats)}`)} does not include ${code(view.action)}`,
      expected: [...pats],
      actual: [view.action],
    });
  }
  if (st.resources !== null && !st.resources.match(view)) out.push(resourceFailure(st, view));
  const pr = st.principals;
  if (pr !== null) {
    const named = matchPrincipal(pr, view.principal) !== PM_NONE;
    if (pr.negated && named && !(st.effect === 'Deny' && hasBoundary)) {
      out.push({
        field: 'Principal',
        message: `${code(`NotPrincipal ${list(pr.display)}`)} excludes the caller ${code(view.principal.arn)}`,
        expected: [...pr.display],
        actual: [view.principal.arn],
      });
    } else if (!pr.negated && !named) {
      out.push({
        field: 'Principal',
        message: `${code(`Principal ${list(pr.display)}`)} does not name the caller ${code(view.principal.arn)}`,
        expected: [...pr.display],
        actual: [view.principal.arn],
      });
    }
  }
  for (const c of st.conditions) {
    if (!evalCondition(c, view)) out.push(conditionFailure(c, view));
  }
  return out;
}

function resourceFailure(st: CompiledStatement, view: RequestView): Failure {
  const rm = st.resources!;
  const r = view.resource;
  const pats = rm.patterns;
  if (rm.negated) {
    return {
      field: 'Resource',
      message: `${code(`NotResource ${list(pats)}`)} excludes ${code(r)}`,
      expected: [...pats],
      actual: [r],
    };
  }
  // The classic S3 mistake: bucket ARN for an object action, or objects ARN for a bucket action
  // (S3 UG, "Policy actions for Amazon S3": bucket operations take arn:aws:s3:::bucket, object operations
  // arn:aws:s3:::bucket/key).
  for (const p of pats) {
    if (p.startsWith('arn:aws:s3:::') && !p.slice(13).includes('/') && r.startsWith(`${p}/`)) {
      return {
        field: 'Resource',
        message: `${code(`Resource ${p}`)} is the bucket; ${code(view.action)} needs ${code(`${p}/*`)}`,
        expected: [...pats],
        actual: [r],
      };
    }
    if (p.startsWith('arn:aws:s3:::') && p.endsWith('/*') && r === p.slice(0, -2)) {
      return {
        field: 'Resource',
        message: `${code(`Resource ${p}`)} is the objects in the bucket; ${code(view.action)} needs ${code(r)}`,
        expected: [...pats],
        actual: [r],
      };
    }
  }
  const resolved: string[] = [];
  for (const p of pats) {
    const t = parseTemplate(p, true);
    if (t.parts === undefined) continue;
    const v = resolveTemplate(t, true, view);
    resolved.push(
      v === undefined
        ? `${p} has no value for ${t.keys.map((k) => `\${${k}}`).join(', ')}`
        : `${p} resolves to ${globDisplay(v)}`,
    );
  }
  return {
    field: 'Resource',
    message: `${code(`Resource ${list(pats)}`)} does not match ${code(r)}${resolved.length ? ` (${resolved.join('; ')})` : ''}`,
    expected: [...pats],
    actual: [r],
  };
}

function conditionFailure(c: CompiledCondition, view: RequestView): Failure {
  const raw = view.lookup(c.key, c.keyLower);
  const expected = [...c.rawValues];
  const claim =
    view.principal.type === 'WebIdentity' && !c.keyLower.startsWith('aws:') && !c.keyLower.startsWith('sts:');
  const source = claim ? 'the token' : 'the request';
  const base: Failure = { field: 'Condition', message: '', key: c.key, operator: c.operator, expected };
  if (c.family === 'null') {
    base.message = `${code(c.key)} Null ${code(list(expected))} but ${source} ${raw === undefined ? 'does not have it' : 'has it'}`;
    if (raw !== undefined) base.actual = typeof raw === 'string' ? [raw] : [...raw];
    return base;
  }
  if (raw === undefined) {
    base.message = `${code(c.key)} ${c.operator} ${code(list(expected))} but ${source} has no ${code(c.key)}`;
    return base;
  }
  const actual = typeof raw === 'string' ? [raw] : [...raw];
  base.actual = actual;
  const says = claim ? 'says' : 'has';
  if (c.set === 0 && actual.length > 1) {
    base.message = `${code(c.key)} has several values (${actual.join(', ')}); ${c.operator} needs ForAllValues: or ForAnyValue:`;
    return base;
  }
  base.message = `${code(c.key)} ${c.operator} ${code(list(expected))} but ${source} ${says} ${code(list(actual))}`;
  return base;
}

interface LayerPolicies {
  layer: DecidingLayer;
  level?: number;
  policies: readonly NamedPolicy[];
}

function applicableLayers(input: EvaluationInput): LayerPolicies[] {
  const out: LayerPolicies[] = [];
  (input.rcps ?? []).forEach((policies, level) => {
    out.push({ layer: 'rcp', level, policies });
  });
  (input.scps ?? []).forEach((policies, level) => {
    out.push({ layer: 'scp', level, policies });
  });
  if (input.resourcePolicy) out.push({ layer: 'resource', policies: [input.resourcePolicy] });
  out.push({ layer: 'identity', policies: input.identityPolicies ?? [] });
  if (input.permissionsBoundary) out.push({ layer: 'boundary', policies: [input.permissionsBoundary] });
  out.push({ layer: 'session', policies: input.sessionPolicies ?? [] });
  return out;
}

function kindOf(layer: DecidingLayer, np: NamedPolicy): PolicyKind {
  return layer === 'resource' && np.policy.kind === 'trust' ? 'trust' : layer;
}

/**
 * For an implicit deny: the Allow statements of the deciding layer that came closest, each with the first thing
 * it got wrong. A statement for another action ranks below one that only missed a resource or a condition.
 */
export function nearMisses(
  input: EvaluationInput,
  view: RequestView,
  by: DecidingLayer,
  scpFailLevel: number,
): NearMiss[] {
  const missingBefore = view.missing;
  const hasBoundary = !!input.permissionsBoundary;
  const pools: { layer: DecidingLayer; policies: readonly NamedPolicy[] }[] = [];
  if (by === 'scp') pools.push({ layer: 'scp', policies: input.scps?.[scpFailLevel] ?? [] });
  else if (by === 'resource')
    pools.push({ layer: 'resource', policies: input.resourcePolicy ? [input.resourcePolicy] : [] });
  else if (by === 'identity') {
    pools.push({ layer: 'identity', policies: input.identityPolicies ?? [] });
    if (input.resourcePolicy) pools.push({ layer: 'resource', policies: [input.resourcePolicy] });
  } else if (by === 'boundary')
    pools.push({ layer: 'boundary', policies: input.permissionsBoundary ? [input.permissionsBoundary] : [] });
  else if (by === 'session') pools.push({ layer: 'session', policies: input.sessionPolicies ?? [] });
  const scored: { score: number; miss: NearMiss }[] = [];
  for (const { layer, policies } of pools) {
    for (const np of policies) {
      for (const st of np.policy.statements) {
        if (st.effect !== 'Allow') continue;
        const fails = diagnose(st, view, hasBoundary);
        if (fails.length === 0) continue;
        const first = fails.find((f) => f.field !== 'Action') ?? fails[0]!;
        const actionMiss = fails.some((f) => f.field === 'Action');
        const miss: NearMiss = {
          policyName: np.name,
          policyKind: kindOf(layer, np),
          index: st.index,
          line: st.range.start.line,
          column: st.range.start.column,
          endLine: st.range.end.line,
          field: actionMiss ? 'Action' : first.field,
          message: actionMiss ? fails[0]!.message : first.message,
          failures: fails.length,
        };
        const shown = actionMiss ? fails[0]! : first;
        if (st.sid !== undefined) miss.sid = st.sid;
        if (shown.key !== undefined) miss.key = shown.key;
        if (shown.operator !== undefined) miss.operator = shown.operator;
        if (shown.expected !== undefined) miss.expected = shown.expected;
        if (shown.actual !== undefined) miss.actual = shown.actual;
        scored.push({ score: (actionMiss ? 100 : 0) + fails.length, miss });
      }
    }
  }
  // Diagnosis re-evaluates conditions; it must not change the request's missing-key report.
  view.missing = missingBefore;
  scored.sort((a, b) => a.score - b.score);
  return scored.slice(0, 3).map((s) => s.miss);
}

/** Every statement of every policy given, whether it matched and, if not, the first element that did not. */
export function buildTrace(input: EvaluationInput, view: RequestView): TraceEntry[] {
  const missingBefore = view.missing;
  const hasBoundary = !!input.permissionsBoundary;
  const out: TraceEntry[] = [];
  for (const { layer, level, policies } of applicableLayers(input)) {
    for (const np of policies) {
      for (const st of np.policy.statements) {
        const fails = diagnose(st, view, hasBoundary);
        const e: TraceEntry = {
          layer,
          policyName: np.name,
          index: st.index,
          effect: st.effect,
          matched: fails.length === 0,
        };
        if (level !== undefined) e.level = level;
        if (st.sid !== undefined) e.sid = st.sid;
        if (fails[0]) {
          e.failed = fails[0].field;
          e.detail = fails[0].message;
        }
        out.push(e);
      }
    }
  }
  view.missing = missingBefore;
  return out;
}
