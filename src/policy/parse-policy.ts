import { compileActions } from './actions.js';
import { type CompiledCondition, compileCondition, PolicyCompileError, parseOperator } from './conditions.js';
import {
  countWithoutWhitespace,
  type JsonValue,
  LineIndex,
  type NodeSpan,
  parseJsonWithSpans,
} from './json-source.js';
import { defaultLimitKind, limitIgnoresWhitespace, limitMessage, policyLimit } from './policy-limit.js';
import { compilePrincipal, PRINCIPAL_TYPES, type PrincipalMatcher, validPrincipal } from './principals.js';
import { compileResources } from './resources.js';
import type {
  CompiledPolicy,
  CompiledStatement,
  PolicyError,
  PolicyKind,
  PolicyLimitKind,
  SourceRange,
} from './types.js';

export interface ParsePolicyOptions {
  kind: PolicyKind;
  /** Size quota to enforce; defaults to the only one possible for trust, session, SCP, RCP and boundary.
   * 'none' skips the size check (the caller measured the document itself). */
  limit?: PolicyLimitKind | 'none';
  name?: string;
}

export type ParsePolicyResult = { ok: true; policy: CompiledPolicy } | { ok: false; error: PolicyError };

const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
const TOP_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Principal',
  'NotPrincipal',
  'Condition',
]);
/** Policy kinds whose statements name a principal (reference_policies_elements_principal.html). */
const NEEDS_PRINCIPAL = new Set<PolicyKind>(['resource', 'trust', 'rcp']);
/** IAM itself requires unique Sids in its own documents (reference_policies_elements_sid.html). */
const UNIQUE_SIDS = new Set<PolicyKind>(['identity', 'boundary', 'session', 'trust']);
const IAM_RESOURCE_PREFIXES = [
  'user/',
  'federated-user/',
  'role/',
  'group/',
  'instance-profile/',
  'mfa/',
  'server-certificate/',
  'policy/',
  'sms-mfa/',
  'saml-provider/',
  'oidc-provider/',
  'report/',
  'access-report/',
];

const SYNTAX = 'Syntax errors in policy.';

class Fail extends Error {
  constructor(
    message: string,
    readonly offset: number | undefined,
    readonly code: PolicyError['code'] = 'MalformedPolicyDocument',
  ) {
    super(message);
  }
}

type Obj = { [key: string]: JsonValue };

function isObj(v: JsonValue | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringList(v: JsonValue | undefined): boolean {
  return typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
}

function toList(v: JsonValue | undefined): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v as string[];
  return [];
}

function isScalar(v: JsonValue): boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/**
 * Parses, validates and compiles a policy document. Errors carry AWS's MalformedPolicyDocument or
 * LimitExceeded wording (IAM CreatePolicy/PutRolePolicy/UpdateAssumeRolePolicy; the messages are AWS's as
 * recorded by moto's IAM policy tests) and the position of the offending statement. The first error wins, in
 * IAM's order: syntax, version, legacy parsing (Effect case, typed condition values), Sid uniqueness, actions,
 * resources, resource ARN format, action prefixes.
 */
export function parsePolicy(text: string, opts: ParsePolicyOptions): ParsePolicyResult {
  const kind = opts.kind;
  const name = opts.name ?? kind;
  const limitKind = opts.limit === 'none' ? undefined : (opts.limit ?? defaultLimitKind(kind));
  if (limitKind !== undefined) {
    const size = limitIgnoresWhitespace(limitKind) ? countWithoutWhitespace(text) : text.length;
    if (size > policyLimit(limitKind)) {
      return { ok: false, error: { code: 'LimitExceeded', message: limitMessage(limitKind, name) } };
    }
  }
  const parsed = parseJsonWithSpans(text);
  const lines = new LineIndex(text);
  if (!parsed.ok) {
    const pos = lines.position(parsed.offset);
    return {
      ok: false,
      error: { code: 'MalformedPolicyDocument', message: SYNTAX, line: pos.line, column: pos.column },
    };
  }
  try {
    return { ok: true, policy: compile(text, parsed.value, parsed.spans, lines, kind, name, limitKind) };
  } catch (err) {
    if (err instanceof Fail) {
      const error: PolicyError = { code: err.code, message: err.message };
      if (err.offset !== undefined) {
        const pos = lines.position(err.offset);
        error.line = pos.line;
        error.column = pos.column;
      }
      return { ok: false, error };
    }
    throw err;
  }
}

function compile(
  text: string,
  doc: JsonValue,
  spans: WeakMap<object, NodeSpan>,
  lines: LineIndex,
  kind: PolicyKind,
  name: string,
  limitKind: PolicyLimitKind | undefined,
): CompiledPolicy {
  // ---- syntax
  if (!isObj(doc)) throw new Fail(SYNTAX, 0);
  const topSpan = spans.get(doc);
  const keyAt = (o: Obj, k: string): number | undefined => spans.get(o)?.keys?.get(k);
  for (const k of Object.keys(doc)) if (!TOP_KEYS.has(k)) throw new Fail(SYNTAX, keyAt(doc, k));
  const version = doc.Version;
  if (version !== undefined && (typeof version !== 'string' || !VERSIONS.has(version))) {
    throw new Fail(SYNTAX, keyAt(doc, 'Version'));
  }
  if (doc.Id !== undefined && typeof doc.Id !== 'string') throw new Fail(SYNTAX, keyAt(doc, 'Id'));
  const st = doc.Statement;
  if (st === undefined) throw new Fail(SYNTAX, topSpan?.start);
  const statements: JsonValue[] = Array.isArray(st) ? st : [st];
  if (statements.length === 0 || !(isObj(st) || Array.isArray(st)))
    throw new Fail(SYNTAX, keyAt(doc, 'Statement'));
  const objs: Obj[] = [];
  for (const s of statements) {
    if (!isObj(s)) throw new Fail(SYNTAX, spans.get(s as object)?.start ?? keyAt(doc, 'Statement'));
    objs.push(s);
  }
  const at = (s: Obj): number | undefined => spans.get(s)?.start;
  for (const s of objs) {
    for (const k of Object.keys(s)) if (!STATEMENT_KEYS.has(k)) throw new Fail(SYNTAX, keyAt(s, k) ?? at(s));
    if (s.Action !== undefined && s.NotAction !== undefined) throw new Fail(SYNTAX, at(s));
    if (s.Resource !== undefined && s.NotResource !== undefined) throw new Fail(SYNTAX, at(s));
    if (s.Principal !== undefined && s.NotPrincipal !== undefined) throw new Fail(SYNTAX, at(s));
    const eff = s.Effect;
    if (typeof eff !== 'string' || (eff.toLowerCase() !== 'allow' && eff.toLowerCase() !== 'deny')) {
      throw new Fail(SYNTAX, at(s));
    }
    for (const k of ['Action', 'NotAction', 'Resource', 'NotResource'] as const) {
      if (s[k] !== undefined && !isStringList(s[k])) throw new Fail(SYNTAX, keyAt(s, k) ?? at(s));
    }
    if (s.Sid !== undefined && typeof s.Sid !== 'string') throw new Fail(SYNTAX, keyAt(s, 'Sid') ?? at(s));
    const cond = s.Condition;
    if (cond !== undefined) {
      if (!isObj(cond)) throw new Fail(SYNTAX, keyAt(s, 'Condition') ?? at(s));
      for (const [opName, block] of Object.entries(cond)) {
        if (!isObj(block)) throw new Fail(SYNTAX, keyAt(cond, opName) ?? at(s));
        for (const v of Object.values(block)) {
          if (!(isScalar(v) || (Array.isArray(v) && v.every(isScalar))))
            throw new Fail(SYNTAX, keyAt(cond, opName));
        }
        // An unknown operator is a syntax error unless its block is empty (moto's AWS-derived valid list).
        if (!parseOperator(opName) && Object.keys(block).length > 0)
          throw new Fail(SYNTAX, keyAt(cond, opName));
      }
    }
    for (const k of ['Principal', 'NotPrincipal'] as const) {
      const p = s[k];
      if (p === undefined || p === '*') continue;
      if (typeof p === 'string') throw new Fail(`Invalid principal in policy: ${JSON.stringify(p)}`, at(s));
      if (!isObj(p)) throw new Fail(SYNTAX, keyAt(s, k) ?? at(s));
      for (const [t, v] of Object.entries(p)) {
        if (!(PRINCIPAL_TYPES as readonly string[]).includes(t) || !isStringList(v)) {
          throw new Fail(SYNTAX, keyAt(s, k) ?? at(s));
        }
      }
    }
  }

  // ---- principal rules for the policy kind
  for (const s of objs) {
    const hasP = s.Principal !== undefined || s.NotPrincipal !== undefined;
    if (!NEEDS_PRINCIPAL.has(kind) && hasP)
      throw new Fail('Policy document should not specify a principal.', at(s));
    if (NEEDS_PRINCIPAL.has(kind) && !hasP) throw new Fail('Missing required field Principal', at(s));
    // NotPrincipal is not allowed in role trust policies (reference_policies_elements_notprincipal.html).
    if (kind === 'trust' && s.NotPrincipal !== undefined)
      throw new Fail('Has prohibited field NotPrincipal', at(s));
    const p = s.Principal ?? s.NotPrincipal;
    if (isObj(p)) {
      for (const [t, v] of Object.entries(p)) {
        for (const value of toList(v)) {
          if (!validPrincipal(t, value)) {
            throw new Fail(
              `Invalid principal in policy: ${JSON.stringify(t)}:${JSON.stringify(value)}`,
              at(s),
            );
          }
        }
      }
    }
  }

  // ---- version: managed policies (and RCPs) need 2012-10-17
  if ((limitKind === 'managed' || kind === 'rcp') && version !== '2012-10-17') {
    throw new Fail(
      'Policy document must be version 2012-10-17 or greater.',
      keyAt(doc, 'Version') ?? topSpan?.start,
    );
  }
  const variables = version === '2012-10-17';

  // ---- legacy parsing: Effect is case-sensitive, typed condition values must parse
  const conditions: CompiledCondition[][] = [];
  for (const s of objs) {
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny')
      throw new Fail('The policy failed legacy parsing', at(s));
    const list: CompiledCondition[] = [];
    const cond = s.Condition;
    if (isObj(cond)) {
      for (const [opName, block] of Object.entries(cond)) {
        if (!parseOperator(opName) || !isObj(block)) continue;
        for (const [key, v] of Object.entries(block)) {
          const values = (Array.isArray(v) ? v : [v]).map((x) => String(x));
          try {
            list.push(compileCondition(opName, key, values, variables));
          } catch (err) {
            if (err instanceof PolicyCompileError) throw new Fail(err.message, at(s));
            throw err;
          }
        }
      }
    }
    conditions.push(list);
  }

  // ---- Sid uniqueness
  if (UNIQUE_SIDS.has(kind)) {
    const seen = new Set<string>();
    for (const s of objs) {
      const sid = s.Sid;
      if (typeof sid === 'string' && sid !== '') {
        if (seen.has(sid)) throw new Fail('Statement IDs (SID) in a single policy must be unique.', at(s));
        seen.add(sid);
      }
    }
  }

  // ---- actions and resources present
  for (const s of objs) {
    const a = s.Action ?? s.NotAction;
    if (a === undefined || (Array.isArray(a) && a.length === 0)) {
      throw new Fail('Policy statement must contain actions.', at(s));
    }
  }
  for (const s of objs) {
    const r = s.Resource ?? s.NotResource;
    if (kind === 'trust') {
      // A role trust policy is attached to the role: it has no Resource element.
      if (r !== undefined)
        throw new Fail(
          `Has prohibited field ${s.Resource !== undefined ? 'Resource' : 'NotResource'}`,
          at(s),
        );
      continue;
    }
    if (r === undefined || (Array.isArray(r) && r.length === 0)) {
      throw new Fail('Policy statement must contain resources.', at(s));
    }
  }
  for (const s of objs) {
    for (const r of toList(s.Resource ?? s.NotResource)) {
      const msg = resourceFormatError(r);
      if (msg) throw new Fail(msg, at(s));
    }
  }
  for (const s of objs) {
    for (const a of toList(s.Action ?? s.NotAction)) {
      const msg = actionPrefixError(a);
      if (msg) throw new Fail(msg, at(s));
    }
  }

  // ---- compile
  const compiled: CompiledStatement[] = objs.map((s, index) => {
    const span = spans.get(s)!;
    const range: SourceRange = { start: lines.position(span.start), end: lines.position(span.end) };
    let principals: PrincipalMatcher | null = null;
    const p = s.Principal ?? s.NotPrincipal;
    if (p !== undefined) {
      const value: '*' | Record<string, string[]> =
        p === '*' ? '*' : Object.fromEntries(Object.entries(p as Obj).map(([t, v]) => [t, toList(v)]));
      principals = compilePrincipal(value, s.NotPrincipal !== undefined);
    }
    const resList = s.Resource ?? s.NotResource;
    return {
      index,
      sid: typeof s.Sid === 'string' ? s.Sid : undefined,
      effect: s.Effect as 'Allow' | 'Deny',
      range,
      actions: compileActions(toList(s.Action ?? s.NotAction), s.NotAction !== undefined),
      resources:
        resList === undefined
          ? null
          : compileResources(toList(resList), s.NotResource !== undefined, variables),
      principals,
      conditions: conditions[index]!,
    };
  });

  const anyService = compiled.filter((c) => c.actions.services === undefined);
  const services = new Set<string>();
  for (const c of compiled) for (const svc of c.actions.services ?? []) services.add(svc);
  const byService = new Map<string, CompiledStatement[]>();
  for (const svc of services) {
    byService.set(
      svc,
      compiled.filter((c) => c.actions.services === undefined || c.actions.services.includes(svc)),
    );
  }
  return {
    kind,
    name,
    version: version as CompiledPolicy['version'],
    id: typeof doc.Id === 'string' ? doc.Id : undefined,
    text,
    document: doc,
    statements: compiled,
    byService,
    anyService,
  };
}

const PARTITION = /^aws(-[a-z]+)*$/;

/** Resource ARN format checks, with IAM's messages. */
function resourceFormatError(r: string): string | undefined {
  if (r === '*') return undefined;
  const parts = r.split(':');
  if (parts.length < 2) return `Resource ${r} must be in ARN format or "*".`;
  const partition = parts[1]!;
  if (!PARTITION.test(partition) && partition !== '*') {
    const rest = parts.slice(2);
    const seg = (i: number) =>
      rest[i] !== undefined && (rest[i] !== '' || rest.length > i + 1) ? rest[i] : '*';
    const tail = rest.length > 3 ? rest.slice(3).join(':') : '*';
    return `Partition "${partition}" is not valid for resource "arn:${partition}:${seg(0)}:${seg(1)}:${seg(2)}:${tail}".`;
  }
  if (parts.length < 3) return 'Resource vendor must be fully qualified and cannot contain regexes.';
  const service = parts[2]!;
  const region = parts[3];
  if (parts.length > 3 && region !== '' && region !== undefined) {
    if (service === 'iam') return `IAM resource ${r} cannot contain region information.`;
    if (service === 's3') return `Resource ${r} can not contain region information.`;
  }
  if (service === 'iam' && parts.length > 5) {
    const path = parts.slice(5).join(':');
    if (path !== '*' && !IAM_RESOURCE_PREFIXES.some((p) => path.startsWith(p))) {
      return `IAM resource path must either be "*" or start with ${IAM_RESOURCE_PREFIXES.join(', ')}.`;
    }
  }
  return undefined;
}

/** Action prefix checks (reference_policies_elements_action.html), with IAM's messages. */
function actionPrefixError(a: string): string | undefined {
  const parts = a.split(':');
  if (parts.length === 1 && parts[0] !== '*') {
    return 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.';
  }
  if (parts.length > 2) return 'Actions/Condition can contain only one colon.';
  const vendor = parts[0]!;
  if (vendor !== '*' && /[^a-zA-Z0-9\-.]/.test(vendor)) return `Vendor ${vendor} is not valid`;
  return undefined;
}
