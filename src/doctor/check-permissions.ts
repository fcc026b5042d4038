import { accessDeniedMessage, type Decision, evaluate, type NamedPolicy } from '../policy/index.js';
import type { Check } from './check-context.js';
import { envValue, mutableContainers } from './kube.js';
import { lineDiff } from './line-diff.js';
import { permissionInput } from './permission-input.js';
import type { Fix, RoleRecord } from './types.js';

const TITLE =
  'Permissions: the role session may perform the action (SCPs, RCPs, resource policy, identity, boundary)';

type J = Record<string, unknown>;
const statements = (doc: unknown): J[] => {
  const s = (doc as J).Statement;
  return (Array.isArray(s) ? s : [s]) as J[];
};

/** The fix for a denial, as a command and, where one policy can be corrected, its diff. */
export function permissionFix(
  d: Decision,
  policies: readonly NamedPolicy[],
  role: RoleRecord,
  action: string,
  resource: string,
): Fix | undefined {
  const byName = (n: string) => policies.find((p) => p.name === n);
  const json = (v: unknown) => JSON.stringify(v, null, 2);
  const applyCmd = (np: NamedPolicy, file: string) =>
    np.arn
      ? `aws iam create-policy-version --policy-arn ${np.arn} --policy-document file://${file} --set-as-default`
      : `aws iam put-role-policy --role-name ${role.name} --policy-name ${np.name.replace(/^.*\/| \(inline\)$/g, '')} --policy-document file://${file}`;
  if (d.decision === 'ExplicitDeny') {
    const m = d.matchedStatements[0];
    const where = m
      ? `statement ${m.index}${m.sid ? ` (${m.sid})` : ''} of ${m.policyName}`
      : 'a Deny statement';
    if (d.decidedBy === 'scp' || d.decidedBy === 'rcp') {
      const np = m ? byName(m.policyName) : undefined;
      const id = np?.arn?.split('/').at(-1);
      return {
        summary: `${where} denies ${action}: an organization administrator must narrow it or exempt this role (e.g. a condition on aws:PrincipalArn)`,
        ...(id ? { command: `aws organizations describe-policy --policy-id ${id}` } : {}),
      };
    }
    return { summary: `${where} denies ${action}: remove or narrow it` };
  }
  if (d.decision !== 'ImplicitDeny') return undefined;
  const s3miss = d.nearMisses.find(
    (n) => n.field === 'Resource' && /is the bucket;|is the objects in the bucket;/.test(n.message),
  );
  if (s3miss) {
    const np = byName(s3miss.policyName);
    if (np) {
      const doc = structuredClone(np.policy.document) as J;
      const st = statements(doc)[s3miss.index];
      if (st) {
        const res = Array.isArray(st.Resource) ? st.Resource : [st.Resource];
        const want = s3miss.message.includes('is the bucket;')
          ? `${s3miss.expected?.find((e) => !e.includes('/')) ?? ''}/*`
          : resource;
        st.Resource = [...res, want];
        return {
          summary: `add ${want} to the statement's Resource (bucket actions take arn:aws:s3:::bucket, object actions arn:aws:s3:::bucket/*)`,
          command: applyCmd(np, 'policy.json'),
          policyDiff: lineDiff(json(np.policy.document), json(doc)),
        };
      }
    }
  }
  const grant = { Effect: 'Allow', Action: action, Resource: resource };
  if (d.decidedBy === 'boundary') {
    const np = policies.find((p) => p.policy.kind === 'boundary');
    if (np) {
      const doc = structuredClone(np.policy.document) as J;
      doc.Statement = [...statements(doc), grant];
      return {
        summary: `the permissions boundary ${np.arn ?? np.name} does not allow ${action}: allow it there (the boundary caps what identity policies grant)`,
        command: applyCmd(np, 'boundary.json'),
        policyDiff: lineDiff(json(np.policy.document), json(doc)),
      };
    }
  }
  if (d.decidedBy === 'identity') {
    const np = policies.find((p) => p.policy.kind === 'identity' && !p.arn);
    if (np) {
      const doc = structuredClone(np.policy.document) as J;
      doc.Statement = [...statements(doc), grant];
      return {
        summary: `grant ${action} on ${resource} to the role`,
        command: applyCmd(np, 'policy.json'),
        policyDiff: lineDiff(json(np.policy.document), json(doc)),
      };
    }
    return {
      summary: `grant ${action} on ${resource} to the role`,
      command: `aws iam put-role-policy --role-name ${role.name} --policy-name allow-${action.replace(':', '-')} --policy-document '${JSON.stringify({ Version: '2012-10-17', Statement: [grant] })}'`,
    };
  }
  if (d.decidedBy === 'scp')
    return {
      summary: `no SCP at some level of the organization allows ${action}: an administrator must allow it`,
    };
  if (d.decidedBy === 'resource')
    return { summary: `the resource policy must allow ${role.arn} to ${action}` };
  return undefined;
}

export const checkPermissions: Check = (snap, r, ctx) => {
  const base = { id: 'permissions', title: TITLE } as const;
  const { action, resource } = ctx.subject;
  if (!action || !resource) return { ...base, status: 'skip', evidence: ['no --action/--resource given'] };
  if (!r.role)
    return {
      ...base,
      status: 'skip',
      evidence: ['no existing role to simulate (see the ServiceAccount check)'],
    };
  // The SDK in the pod calls the region its environment names (AWS_REGION, injected by the webhook), else the cluster's.
  const region =
    (r.pod &&
      mutableContainers(r.pod)
        .included.map((c) => envValue(c, 'AWS_REGION'))
        .find(Boolean)) ||
    r.cluster?.region;
  const context = { ...(region ? { 'aws:RequestedRegion': region } : {}), ...(ctx.subject.context ?? {}) };
  const pi = permissionInput(snap, r.role, { action, resource, context });
  const d = evaluate(pi.input);
  const evidence = [`${action} on ${resource} as ${pi.principalArn}`];
  const data: Record<string, unknown> = {
    decision: d.decision,
    decidedBy: d.decidedBy,
    reason: d.reason,
    matchedStatements: d.matchedStatements,
    nearMisses: d.nearMisses,
    missingContextKeys: d.missingContextKeys,
    layers: pi.layers,
  };
  const stmt = (m: { policyName: string; index: number; sid?: string; line: number }) =>
    `${m.policyName} statement ${m.index}${m.sid ? ` (${m.sid})` : ''} at line ${m.line}`;
  evidence.push(...pi.problems.map((p) => `not evaluated: ${p}`));
  if (d.decision === 'Allow') {
    evidence.push(`Allow ${d.reason}`, ...d.matchedStatements.map((m) => `decided by ${stmt(m)}`));
    return { ...base, status: pi.problems.length ? 'warn' : 'pass', evidence, data };
  }
  const message = accessDeniedMessage(pi.principalArn, action, resource, d);
  data.message = message;
  evidence.push(`AWS answers: ${message}`);
  if (d.decision === 'ExplicitDeny') evidence.push(...d.matchedStatements.map((m) => `denied by ${stmt(m)}`));
  for (const n of d.nearMisses) {
    const s3 = /is the bucket;|is the objects in the bucket;/.test(n.message)
      ? 'the bucket vs bucket/* mistake: '
      : '';
    evidence.push(`near miss: ${stmt(n)}: ${s3}${n.message}`);
  }
  if (d.missingContextKeys.length)
    evidence.push(`context keys the request lacked: ${d.missingContextKeys.join(', ')} (pass --context k=v)`);
  const fix = permissionFix(d, pi.policies, r.role, action, resource);
  return { ...base, status: 'fail', evidence, ...(fix ? { fix } : {}), data };
};
