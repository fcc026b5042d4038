import { buildTrace, nearMisses } from './explain.js';
import { PM_ACCOUNT, PM_DIRECT, PM_NONE, PM_ROLE } from './principals.js';
import { RequestView } from './request-view.js';
import { candidates, statementMatch } from './statement-match.js';
import type {
  CompiledStatement,
  DecidingLayer,
  Decision,
  EvaluationInput,
  MatchedStatement,
  NamedPolicy,
  PolicyKind,
} from './types.js';

const IAM_TYPES = new Set(['Account', 'User', 'Role', 'AssumedRole']);
const EMPTY: never[] = [];

/** Bits per layer, in AWS's documented order (EVAL): the first set bit names the deciding layer. */
const LAYERS: readonly DecidingLayer[] = ['rcp', 'scp', 'resource', 'identity', 'boundary', 'session'];
const BIT: Readonly<Record<DecidingLayer, number>> = {
  rcp: 1,
  scp: 2,
  resource: 4,
  identity: 8,
  boundary: 16,
  session: 32,
};

// Scratch space for matching statements. evaluate() is synchronous and never re-entered, so one buffer serves
// every call and the hot path allocates nothing per statement.
const hitStmt: CompiledStatement[] = [];
const hitPolicy: NamedPolicy[] = [];
const hitLayer: DecidingLayer[] = [];
let hitCount = 0;

// Results of the last scan().
let scanAllow = false;
let scanDeny = false;
/** Bit set of principal matches among allows: 1 << PM_DIRECT | 1 << PM_ROLE | 1 << PM_ACCOUNT. */
let scanPm = 0;

function scan(np: NamedPolicy, layer: DecidingLayer, view: RequestView, hasBoundary: boolean): void {
  scanAllow = false;
  scanDeny = false;
  scanPm = 0;
  const list = candidates(np.policy, view.service);
  for (let i = 0; i < list.length; i++) {
    const st = list[i]!;
    const pm = statementMatch(st, view, hasBoundary);
    if (pm === PM_NONE) continue;
    hitStmt[hitCount] = st;
    hitPolicy[hitCount] = np;
    hitLayer[hitCount] = layer;
    hitCount++;
    if (st.effect === 'Deny') scanDeny = true;
    else {
      scanAllow = true;
      scanPm |= 1 << pm;
    }
  }
}

/** The policy kind to report for a statement found in a layer (a trust policy stays a trust policy). */
export function reportedKind(layer: DecidingLayer, np: NamedPolicy): PolicyKind {
  return layer === 'resource' && np.policy.kind === 'trust' ? 'trust' : layer;
}

const PHRASE: Readonly<Record<DecidingLayer, string>> = {
  rcp: 'a resource control policy',
  scp: 'a service control policy',
  resource: 'a resource-based policy',
  identity: 'an identity-based policy',
  boundary: 'a permissions boundary',
  session: 'a session policy',
};

const NO_PHRASE: Readonly<Record<DecidingLayer, string>> = {
  rcp: 'no resource control policy',
  scp: 'no service control policy',
  resource: 'no resource-based policy',
  identity: 'no identity-based policy',
  boundary: 'no permissions boundary',
  session: 'no session policy',
};

/** AWS's phrase for a decision, as it ends the AccessDenied message (EVAL; S3 "Troubleshoot access denied"). */
export function reasonPhrase(
  decision: Decision['decision'],
  by: DecidingLayer | null,
  action: string,
): string {
  if (by === null) return decision === 'Allow' ? `${action} requires no permission` : '';
  if (decision === 'ExplicitDeny') return `with an explicit deny in ${PHRASE[by]}`;
  if (decision === 'ImplicitDeny') return `because ${NO_PHRASE[by]} allows the ${action} action`;
  return `because ${PHRASE[by]} allows the ${action} action`;
}

/**
 * Evaluates one request against every policy that applies, in the order AWS documents
 * (reference_policies_evaluation-logic_policy-eval-denyallow.html):
 * 1. an explicit deny in any policy wins;
 * 2. RCPs, then SCPs: every level from the root to the account must allow (RCPFullAWSAccess is implied at each
 *    RCP level); neither applies in the management account or to service-linked roles; SCPs only limit the
 *    IAM principals of the account;
 * 3. the resource-based policy: within one account its Allow suffices, with the exceptions of table 1.4 (a grant
 *    to the role ARN is still capped by the boundary and session policies; a grant to the account only delegates
 *    to identity policies); a role trust policy or a KMS key policy must itself allow;
 * 4. identity-based policies, 5. the permissions boundary, 6. session policies.
 * Across accounts both sides must allow (reference_policies_evaluation-logic-cross-account.html).
 */
export function evaluate(input: EvaluationInput, opts?: { trace?: boolean }): Decision {
  const req = input.request;
  const p = req.principal;
  const view = new RequestView(req);
  const type = p.type;
  const isIam = IAM_TYPES.has(type);

  // "No permissions are required to perform this operation" (STS API reference, GetCallerIdentity).
  if (view.actionLower === 'sts:getcalleridentity' && type !== 'Anonymous') {
    return finish(input, view, 'Allow', null, opts, -1);
  }

  const exempt = input.isManagementAccount === true || p.isServiceLinkedRole === true;
  const scps = isIam && !exempt ? (input.scps ?? EMPTY) : EMPTY;
  const rcps = exempt ? EMPTY : (input.rcps ?? EMPTY);
  const ownPolicies = isIam && type !== 'Account';
  const ids = ownPolicies ? (input.identityPolicies ?? EMPTY) : EMPTY;
  const boundary = ownPolicies ? (input.permissionsBoundary ?? null) : null;
  const sessions = type === 'AssumedRole' ? (input.sessionPolicies ?? EMPTY) : EMPTY;
  const rp = input.resourcePolicy ?? null;
  const hasBoundary = boundary !== null;

  hitCount = 0;
  let denyBits = 0;

  for (let l = 0; l < rcps.length; l++) {
    const level = rcps[l]!;
    for (let i = 0; i < level.length; i++) {
      scan(level[i]!, 'rcp', view, hasBoundary);
      if (scanDeny) denyBits |= BIT.rcp;
    }
  }
  let scpFailLevel = -1;
  for (let l = 0; l < scps.length; l++) {
    const level = scps[l]!;
    let allowed = false;
    for (let i = 0; i < level.length; i++) {
      scan(level[i]!, 'scp', view, hasBoundary);
      if (scanDeny) denyBits |= BIT.scp;
      if (scanAllow) allowed = true;
    }
    if (!allowed && scpFailLevel < 0) scpFailLevel = l;
  }
  let rPm = 0;
  if (rp !== null) {
    scan(rp, 'resource', view, hasBoundary);
    if (scanDeny) denyBits |= BIT.resource;
    rPm = scanPm;
  }
  let idOK = type === 'Account';
  for (let i = 0; i < ids.length; i++) {
    scan(ids[i]!, 'identity', view, hasBoundary);
    if (scanDeny) denyBits |= BIT.identity;
    if (scanAllow) idOK = true;
  }
  let bOK = true;
  if (boundary !== null) {
    scan(boundary, 'boundary', view, hasBoundary);
    if (scanDeny) denyBits |= BIT.boundary;
    bOK = scanAllow;
  }
  let sOK = sessions.length === 0;
  for (let i = 0; i < sessions.length; i++) {
    scan(sessions[i]!, 'session', view, hasBoundary);
    if (scanDeny) denyBits |= BIT.session;
    if (scanAllow) sOK = true;
  }

  if (denyBits !== 0) {
    let by: DecidingLayer = 'rcp';
    for (const layer of LAYERS) {
      if (denyBits & BIT[layer]) {
        by = layer;
        break;
      }
    }
    return finish(input, view, 'ExplicitDeny', by, opts, scpFailLevel);
  }
  if (scpFailLevel >= 0) return finish(input, view, 'ImplicitDeny', 'scp', opts, scpFailLevel);

  const direct = (rPm & (1 << PM_DIRECT)) !== 0;
  const role = (rPm & (1 << PM_ROLE)) !== 0;
  const account = (rPm & (1 << PM_ACCOUNT)) !== 0;

  // Principals with no policies of their own: only a resource policy that names them can allow.
  if (!isIam) {
    return finish(input, view, direct ? 'Allow' : 'ImplicitDeny', 'resource', opts, scpFailLevel);
  }

  const firstFailing = (withIdentity: boolean): DecidingLayer =>
    withIdentity && !idOK ? 'identity' : !bOK ? 'boundary' : 'session';
  const identityPath = idOK && bOK && sOK;
  const same = view.resourceAccount === p.accountId;
  const mustTrust =
    (rp !== null && rp.policy.kind === 'trust') ||
    view.actionLower.startsWith('sts:assumerole') ||
    view.service === 'kms';

  if (!same) {
    // Cross-account: the resource policy must allow, and so must the principal's own account.
    if (rPm === 0) return finish(input, view, 'ImplicitDeny', 'resource', opts, scpFailLevel);
    if (!identityPath) return finish(input, view, 'ImplicitDeny', firstFailing(true), opts, scpFailLevel);
    return finish(input, view, 'Allow', 'identity', opts, scpFailLevel);
  }
  if (direct) return finish(input, view, 'Allow', 'resource', opts, scpFailLevel);
  if (role && bOK && sOK) return finish(input, view, 'Allow', 'resource', opts, scpFailLevel);
  if (mustTrust) {
    if (account && identityPath) return finish(input, view, 'Allow', 'identity', opts, scpFailLevel);
    if (rPm === 0) return finish(input, view, 'ImplicitDeny', 'resource', opts, scpFailLevel);
    return finish(input, view, 'ImplicitDeny', firstFailing(!role), opts, scpFailLevel);
  }
  if (identityPath) return finish(input, view, 'Allow', 'identity', opts, scpFailLevel);
  return finish(input, view, 'ImplicitDeny', firstFailing(!role || idOK), opts, scpFailLevel);
}

function finish(
  input: EvaluationInput,
  view: RequestView,
  decision: Decision['decision'],
  by: DecidingLayer | null,
  opts: { trace?: boolean } | undefined,
  scpFailLevel: number,
): Decision {
  const matchedStatements: MatchedStatement[] = [];
  const want = decision === 'ExplicitDeny' ? 'Deny' : 'Allow';
  for (let i = 0; i < hitCount; i++) {
    const st = hitStmt[i]!;
    if (st.effect !== want || by === null) continue;
    const np = hitPolicy[i]!;
    const m: MatchedStatement = {
      policyName: np.name,
      policyKind: reportedKind(hitLayer[i]!, np),
      index: st.index,
      effect: st.effect,
      line: st.range.start.line,
      column: st.range.start.column,
      endLine: st.range.end.line,
      endColumn: st.range.end.column,
    };
    if (st.sid !== undefined) m.sid = st.sid;
    matchedStatements.push(m);
  }
  const d: Decision = {
    decision,
    decidedBy: by,
    reason: reasonPhrase(decision, by, view.action),
    matchedStatements,
    missingContextKeys: view.missing === undefined ? [] : [...view.missing],
    nearMisses: decision === 'ImplicitDeny' && by !== null ? nearMisses(input, view, by, scpFailLevel) : [],
  };
  if (opts?.trace) d.trace = buildTrace(input, view);
  return d;
}
