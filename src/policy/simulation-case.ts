import { parsePolicy } from './parse-policy.js';
import { policyLimit } from './policy-limit.js';
import { roleArnFromSession } from './request-view.js';
import type { EvaluationInput, NamedPolicy, PolicyKind, RequestPrincipal } from './types.js';

/**
 * The offline simulation case (`irsakit policy simulate --input CASE.json`, and the test corpus):
 * { request: { principal, action, resource, resourceAccount?, context? }, identityPolicies?, permissionsBoundary?,
 *   sessionPolicies?, scps?: [[…]], rcps?: [[…]], resourcePolicy?, isManagementAccount? }
 * A policy is a JSON document, its text as a string, or { name, document | text }. The principal is an ARN
 * (its kind follows from the ARN) or a RequestPrincipal object. Absent fields mean "none".
 */
export type CaseResult =
  | { ok: true; input: EvaluationInput; policies: NamedPolicy[] }
  | { ok: false; field: string; message: string };

class CaseError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const CASE_KEYS = new Set([
  'request',
  'identityPolicies',
  'permissionsBoundary',
  'sessionPolicies',
  'scps',
  'rcps',
  'resourcePolicy',
  'isManagementAccount',
]);

export function simulationInput(raw: unknown): CaseResult {
  try {
    return build(raw);
  } catch (err) {
    if (err instanceof CaseError) return { ok: false, field: err.field, message: err.message };
    throw err;
  }
}

/** Infers the principal's kind from its ARN, as AWS names callers. */
export function principalFromArn(arn: string): RequestPrincipal | undefined {
  if (arn === '*' || arn === 'anonymous') return { arn: 'anonymous', accountId: '', type: 'Anonymous' };
  if (/^\d{12}$/.test(arn)) return { arn: `arn:aws:iam::${arn}:root`, accountId: arn, type: 'Account' };
  if (/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(arn)) return { arn, accountId: '', type: 'Service' };
  const m = /^arn:([^:]+):(iam|sts)::(\d{12}):(.+)$/.exec(arn);
  if (!m) return undefined;
  const [, , svc, accountId, rest] = m as unknown as [string, string, string, string, string];
  if (svc === 'sts' && rest.startsWith('assumed-role/')) {
    const roleArn = roleArnFromSession(arn);
    if (!roleArn) return undefined;
    return { arn, accountId, type: 'AssumedRole', roleArn };
  }
  if (svc === 'sts' && rest.startsWith('federated-user/')) return { arn, accountId, type: 'User' };
  if (svc !== 'iam') return undefined;
  if (rest === 'root') return { arn, accountId, type: 'Account' };
  if (rest.startsWith('user/')) return { arn, accountId, type: 'User' };
  if (rest.startsWith('role/')) return { arn, accountId, type: 'Role' };
  if (rest.startsWith('oidc-provider/') || rest.startsWith('saml-provider/')) {
    return { arn, accountId, type: 'WebIdentity' };
  }
  return undefined;
}

const TYPES = new Set(['Account', 'User', 'Role', 'AssumedRole', 'WebIdentity', 'Service', 'Anonymous']);

function principal(v: unknown): RequestPrincipal {
  const field = 'request.principal';
  if (typeof v === 'string') {
    const p = principalFromArn(v);
    if (!p) throw new CaseError(field, `"${v}" is not a principal ARN, account ID or service principal`);
    return p;
  }
  if (!isObj(v)) throw new CaseError(field, 'must be an ARN string or an object { arn, type, accountId, … }');
  if (typeof v.arn !== 'string') throw new CaseError(`${field}.arn`, 'must be a string');
  const inferred = principalFromArn(v.arn);
  const type = v.type ?? inferred?.type;
  if (typeof type !== 'string' || !TYPES.has(type)) {
    throw new CaseError(`${field}.type`, `must be one of ${[...TYPES].join(', ')}`);
  }
  const accountId = v.accountId ?? inferred?.accountId ?? '';
  if (typeof accountId !== 'string') throw new CaseError(`${field}.accountId`, 'must be a string');
  const p: RequestPrincipal = { arn: v.arn, accountId, type: type as RequestPrincipal['type'] };
  const roleArn = v.roleArn ?? inferred?.roleArn;
  if (roleArn !== undefined) {
    if (typeof roleArn !== 'string') throw new CaseError(`${field}.roleArn`, 'must be a string');
    p.roleArn = roleArn;
  }
  if (v.userId !== undefined) {
    if (typeof v.userId !== 'string') throw new CaseError(`${field}.userId`, 'must be a string');
    p.userId = v.userId;
  }
  if (v.tags !== undefined) {
    if (!isObj(v.tags) || !Object.values(v.tags).every((t) => typeof t === 'string')) {
      throw new CaseError(`${field}.tags`, 'must be an object of strings');
    }
    p.tags = v.tags as Record<string, string>;
  }
  if (v.isServiceLinkedRole !== undefined) {
    if (typeof v.isServiceLinkedRole !== 'boolean') {
      throw new CaseError(`${field}.isServiceLinkedRole`, 'must be true or false');
    }
    p.isServiceLinkedRole = v.isServiceLinkedRole;
  }
  return p;
}

function policy(v: unknown, field: string, kind: PolicyKind, defaultName: string): NamedPolicy {
  let name = defaultName;
  let text: string;
  let compact: string | undefined;
  if (typeof v === 'string') text = v;
  else if (isObj(v) && ('document' in v || 'text' in v)) {
    if (v.name !== undefined) {
      if (typeof v.name !== 'string') throw new CaseError(`${field}.name`, 'must be a string');
      name = v.name;
    }
    if (typeof v.text === 'string') text = v.text;
    else if (isObj(v.document)) {
      text = JSON.stringify(v.document, null, 2);
      compact = JSON.stringify(v.document);
    } else throw new CaseError(field, 'needs "document" (an object) or "text" (a string)');
  } else if (isObj(v)) {
    text = JSON.stringify(v, null, 2);
    compact = JSON.stringify(v);
  } else
    throw new CaseError(field, 'must be a policy document (object), its text (string) or { name, document }');
  // SCP and RCP quotas count whitespace; a document given as JSON is measured in its compact form.
  if (compact !== undefined && (kind === 'scp' || kind === 'rcp') && compact.length > policyLimit(kind)) {
    throw new CaseError(field, 'LimitExceeded: You have exceeded the maximum policy size.');
  }
  const r = parsePolicy(text, {
    kind,
    name,
    ...(compact !== undefined && (kind === 'scp' || kind === 'rcp') ? { limit: 'none' as const } : {}),
  });
  if (!r.ok) {
    const at = r.error.line !== undefined ? ` (line ${r.error.line}, column ${r.error.column})` : '';
    throw new CaseError(field, `${r.error.code}: ${r.error.message}${at}`);
  }
  return { name, policy: r.policy };
}

function list(v: unknown, field: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new CaseError(field, 'must be a list');
  return v;
}

function build(raw: unknown): CaseResult {
  if (!isObj(raw)) throw new CaseError('(case)', 'must be a JSON object');
  for (const k of Object.keys(raw)) if (!CASE_KEYS.has(k)) throw new CaseError(k, 'is not a known field');
  const r = raw.request;
  if (!isObj(r)) throw new CaseError('request', 'is required: { principal, action, resource, context }');
  const p = principal(r.principal);
  if (typeof r.action !== 'string' || !r.action.includes(':')) {
    throw new CaseError('request.action', 'must be "service:Action", e.g. "s3:GetObject"');
  }
  const resource = r.resource ?? '*';
  if (typeof resource !== 'string') throw new CaseError('request.resource', 'must be an ARN string or "*"');
  const context: Record<string, string | string[]> = {};
  if (r.context !== undefined) {
    if (!isObj(r.context)) throw new CaseError('request.context', 'must be an object');
    for (const [k, v] of Object.entries(r.context)) {
      if (typeof v === 'string') context[k] = v;
      else if (typeof v === 'number' || typeof v === 'boolean') context[k] = String(v);
      else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) context[k] = v as string[];
      else throw new CaseError(`request.context.${k}`, 'must be a string or a list of strings');
    }
  }
  const request: EvaluationInput['request'] = { principal: p, action: r.action, resource, context };
  if (r.resourceAccount !== undefined) {
    if (typeof r.resourceAccount !== 'string')
      throw new CaseError('request.resourceAccount', 'must be a string');
    request.resourceAccount = r.resourceAccount;
  }
  const all: NamedPolicy[] = [];
  const keep = (np: NamedPolicy) => {
    all.push(np);
    return np;
  };
  const input: EvaluationInput = { request };
  input.identityPolicies = list(raw.identityPolicies, 'identityPolicies').map((v, i) =>
    keep(policy(v, `identityPolicies[${i}]`, 'identity', `identity-${i}`)),
  );
  if (raw.permissionsBoundary !== undefined && raw.permissionsBoundary !== null) {
    input.permissionsBoundary = keep(
      policy(raw.permissionsBoundary, 'permissionsBoundary', 'boundary', 'boundary'),
    );
  }
  input.sessionPolicies = list(raw.sessionPolicies, 'sessionPolicies').map((v, i) =>
    keep(policy(v, `sessionPolicies[${i}]`, 'session', `session-${i}`)),
  );
  for (const kind of ['scps', 'rcps'] as const) {
    input[kind] = list(raw[kind], kind).map((level, l) =>
      list(level, `${kind}[${l}]`).map((v, i) =>
        keep(
          policy(v, `${kind}[${l}][${i}]`, kind === 'scps' ? 'scp' : 'rcp', `${kind.slice(0, 3)}-${l}-${i}`),
        ),
      ),
    );
  }
  if (raw.resourcePolicy !== undefined && raw.resourcePolicy !== null) {
    const trust = r.action.toLowerCase().startsWith('sts:assumerole');
    input.resourcePolicy = keep(
      policy(
        raw.resourcePolicy,
        'resourcePolicy',
        trust ? 'trust' : 'resource',
        trust ? 'trust-policy' : 'resource-policy',
      ),
    );
  }
  if (raw.isManagementAccount !== undefined) {
    if (typeof raw.isManagementAccount !== 'boolean')
      throw new CaseError('isManagementAccount', 'must be true or false');
    input.isManagementAccount = raw.isManagementAccount;
  }
  return { ok: true, input, policies: all };
}
