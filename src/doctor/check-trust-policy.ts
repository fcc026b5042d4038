import { evaluate, type NearMiss } from '../policy/index.js';
import { issuerKey, providerArnFor } from './arn.js';
import type { Check } from './check-context.js';
import { compile } from './compile.js';
import { lineDiff } from './line-diff.js';
import { audList, type Resolved } from './resolve-subject.js';
import type { CheckResult } from './types.js';

const TITLE = "Trust policy: the role's trust policy admits this ServiceAccount's token";
const ACTION = 'sts:AssumeRoleWithWebIdentity';

type J = Record<string, unknown>;
const isObj = (v: unknown): v is J => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The request STS evaluates for AssumeRoleWithWebIdentity (audit §0.4): the provider as principal, the claims as keys. */
export function trustRequest(r: Resolved, roleArn: string, roleAccount: string, partition: string) {
  const iss = typeof r.claims.iss === 'string' ? r.claims.iss : (r.cluster?.issuer ?? '');
  const key = issuerKey(iss);
  const providerArn = providerArnFor(partition, roleAccount, iss);
  const aud = audList(r.claims.aud);
  const context: Record<string, string | string[]> = {
    [`${key}:sub`]: String(r.claims.sub ?? ''),
    [`${key}:aud`]: aud.length === 1 ? aud[0]! : aud,
    'aws:FederatedProvider': providerArn,
    'sts:RoleSessionName': 'irsakit-doctor',
  };
  return {
    key,
    providerArn,
    request: {
      principal: { arn: providerArn, accountId: roleAccount, type: 'WebIdentity' as const },
      action: ACTION,
      resource: roleArn,
      context,
    },
  };
}

const globMatch = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    's',
  ).test(value);

/**
 * The trust policy with the statement the engine found nearest corrected: the Federated principal named by the
 * token's issuer, the `:sub` and `:aud` keys spelt with that issuer and holding the token's values.
 */
export function correctedTrustPolicy(
  doc: unknown,
  index: number,
  want: { key: string; providerArn: string; sub: string; aud: string },
): unknown {
  const copy = structuredClone(doc) as J;
  const list = Array.isArray(copy.Statement) ? copy.Statement : [copy.Statement];
  const st = list[index];
  if (!isObj(st)) return copy;
  const fed = isObj(st.Principal) ? st.Principal.Federated : undefined;
  const feds = Array.isArray(fed) ? fed : [fed];
  if (!feds.includes(want.providerArn)) st.Principal = { Federated: want.providerArn };
  const actions = Array.isArray(st.Action) ? st.Action : [st.Action];
  if (!actions.some((a) => typeof a === 'string' && globMatch(a.toLowerCase(), ACTION.toLowerCase())))
    st.Action = ACTION;
  if (!isObj(st.Condition)) return copy;
  for (const [op, block] of Object.entries(st.Condition)) {
    if (!isObj(block) || !/^String(Equals|Like)(IgnoreCase)?$/.test(op)) continue;
    // Rebuilt in the original key order, so that the diff shows only the values that change.
    const rebuilt: J = {};
    for (const [k, v] of Object.entries(block)) {
      const claim = /:(sub|aud)$/i.exec(k)?.[1]?.toLowerCase() as 'sub' | 'aud' | undefined;
      if (!claim) {
        rebuilt[k] = v;
        continue;
      }
      const values = (Array.isArray(v) ? v : [v]).map(String);
      const ok = values.some((x) =>
        op.startsWith('StringLike') ? globMatch(x, want[claim]) : x === want[claim],
      );
      rebuilt[`${want.key}:${claim}`] = ok ? v : want[claim];
    }
    st.Condition[op] = rebuilt;
  }
  return copy;
}

function missLine(m: NearMiss): string {
  const parts = [`statement ${m.index}${m.sid ? ` (${m.sid})` : ''} at line ${m.line}: ${m.message}`];
  if (m.field === 'Condition') {
    parts.push(
      `key ${m.key ?? '?'}, operator ${m.operator ?? '?'}, expected ${JSON.stringify(m.expected ?? [])}, actual ${m.actual?.length ? JSON.stringify(m.actual) : '(key absent from the request)'}`,
    );
    if (m.operator?.startsWith('StringEquals') && m.expected?.some((e) => e.includes('*'))) {
      parts.push(
        'StringEquals compares "*" literally; use StringLike for a wildcard, or (better) the exact value',
      );
    }
    if (m.key && /^https?:\/\//i.test(m.key)) parts.push('condition keys name the issuer without "https://"');
  }
  return parts.join('; ');
}

export const checkTrustPolicy: Check = (_snap, r) => {
  const base = { id: 'trust-policy', title: TITLE } as const;
  if (!r.role || !r.roleArn)
    return {
      ...base,
      status: 'skip',
      evidence: ['no existing role to check (see the ServiceAccount check)'],
    };
  if (!r.role.trustPolicy)
    return {
      ...base,
      status: 'skip',
      evidence: [`the trust policy of ${r.role.name} is not in the exports`],
    };
  if (!r.claims.iss && !r.cluster)
    return { ...base, status: 'skip', evidence: ['the token issuer is unknown (no cluster, no token)'] };
  const name = `trust policy of ${r.role.name}`;
  const c = compile(r.role.trustPolicy, 'trust', name);
  if (!c.ok)
    return {
      ...base,
      status: 'fail',
      evidence: [c.problem],
      fix: { summary: 'fix the trust policy syntax' },
    };
  const t = trustRequest(r, r.role.arn, r.role.accountId, r.roleArn.partition);
  const d = evaluate({ request: t.request, resourcePolicy: c.named });
  const sub = String(r.claims.sub ?? '');
  const aud = audList(r.claims.aud);
  const evidence = [`${r.claimsSource}: iss ${r.claims.iss ?? '?'}, sub ${sub}, aud ${JSON.stringify(aud)}`];
  const data: Record<string, unknown> = {
    decision: d.decision,
    reason: d.reason,
    matchedStatements: d.matchedStatements,
    nearMisses: d.nearMisses,
    context: t.request.context,
  };
  if (d.decision === 'Allow') {
    const m = d.matchedStatements[0];
    evidence.push(
      `${name} allows ${ACTION}${m ? ` by statement ${m.index}${m.sid ? ` (${m.sid})` : ''} at line ${m.line}` : ''}`,
    );
    return { ...base, status: 'pass', evidence, data };
  }
  evidence.push(`STS answers "AccessDenied: Not authorized to perform ${ACTION}"`);
  const result: CheckResult = { ...base, status: 'fail', evidence, data };
  const updateCmd = `aws iam update-assume-role-policy --role-name ${r.role.name} --policy-document file://trust-policy.json`;
  if (d.decision === 'ExplicitDeny') {
    for (const m of d.matchedStatements)
      evidence.push(`statement ${m.index}${m.sid ? ` (${m.sid})` : ''} at line ${m.line} denies ${ACTION}`);
    result.fix = { summary: 'remove or narrow the Deny statement of the trust policy', command: updateCmd };
    return result;
  }
  if (!d.nearMisses.length) evidence.push(`no statement of the ${name} allows ${ACTION} from a web identity`);
  for (const m of d.nearMisses) evidence.push(missLine(m));
  const target = d.nearMisses[0];
  const doc = c.named.policy.document;
  const index = target?.index ?? 0;
  const fixed = target
    ? correctedTrustPolicy(doc, index, {
        key: t.key,
        providerArn: t.providerArn,
        sub,
        aud: aud[0] ?? r.audience,
      })
    : {
        ...(doc as J),
        Statement: [
          ...((Array.isArray((doc as J).Statement)
            ? (doc as J).Statement
            : [(doc as J).Statement]) as unknown[]),
          {
            Effect: 'Allow',
            Principal: { Federated: t.providerArn },
            Action: ACTION,
            Condition: { StringEquals: { [`${t.key}:sub`]: sub, [`${t.key}:aud`]: aud[0] ?? r.audience } },
          },
        ],
      };
  const before = JSON.stringify(doc, null, 2);
  const after = JSON.stringify(fixed, null, 2);
  // The correction is only offered when the engine agrees that it admits the token.
  const check = compile(after, 'trust', name);
  const admits =
    check.ok && evaluate({ request: t.request, resourcePolicy: check.named }).decision === 'Allow';
  result.fix = admits
    ? {
        summary: `correct statement ${index} of the trust policy (diff below), then apply it`,
        command: updateCmd,
        policyDiff: lineDiff(before, after),
      }
    : { summary: 'rewrite the trust policy for this issuer and ServiceAccount', command: updateCmd };
  data.correctedPolicy = admits ? fixed : undefined;
  return result;
};
