import { arnPartition, editDistance, issuerPartition, nearest, parseRoleArn } from './arn.js';
import type { Check } from './check-context.js';
import { ANNOTATION_PREFIX, annotations, ROLE_ARN_ANNOTATION } from './kube.js';

const TITLE = 'ServiceAccount: annotated with a well-formed role ARN that exists';

/** Annotation keys that look like a misspelt role-arn (role_arn, roleArn, eks.amazon.com/role-arn, …). */
export function roleArnKeyNearMisses(keys: readonly string[]): string[] {
  const norm = (k: string) => k.toLowerCase().replace(/[^a-z]/g, '');
  const want = norm(ROLE_ARN_ANNOTATION);
  return keys.filter(
    (k) => k !== ROLE_ARN_ANNOTATION && (norm(k).endsWith('rolearn') || editDistance(norm(k), want) <= 4),
  );
}

export const checkServiceAccount: Check = (snap, r) => {
  const base = { id: 'service-account', title: TITLE } as const;
  const who = `ServiceAccount ${r.namespace}/${r.saName}`;
  const evidence: string[] = [];
  if (r.pod) evidence.push(`pod ${r.namespace}/${r.podName} runs as ServiceAccount ${r.saName}`);
  if (!r.sa) {
    return {
      ...base,
      status: 'fail',
      evidence: [...evidence, `${who} does not exist in ${snap.source}`],
      fix: {
        summary: `create the ServiceAccount`,
        command: `kubectl create serviceaccount -n ${r.namespace} ${r.saName}`,
      },
    };
  }
  const ann = annotations(r.sa);
  const annotate = (value: string) =>
    `kubectl annotate serviceaccount -n ${r.namespace} ${r.saName} ${ROLE_ARN_ANNOTATION}=${value} --overwrite`;
  const restart = r.pod
    ? ` && kubectl delete pod -n ${r.namespace} ${r.podName} # or kubectl rollout restart its workload`
    : '';
  if (r.roleArnValue === undefined) {
    const misses = roleArnKeyNearMisses(Object.keys(ann));
    if (misses.length) {
      const k = misses[0]!;
      return {
        ...base,
        status: 'fail',
        evidence: [
          ...evidence,
          ...misses.map(
            (m) =>
              `annotation "${m}: ${ann[m]}" is not "${ROLE_ARN_ANNOTATION}": the webhook ignores it, so pods get no AWS_ROLE_ARN`,
          ),
        ],
        fix: {
          summary: `rename the annotation to ${ROLE_ARN_ANNOTATION}, then recreate the pods`,
          command: `${annotate(ann[k] ?? 'ROLE_ARN')} && kubectl annotate serviceaccount -n ${r.namespace} ${r.saName} ${k}-${restart}`,
        },
        data: { misspelt: misses },
      };
    }
    const other = Object.keys(ann).filter((k) => k.startsWith(`${ANNOTATION_PREFIX}/`));
    return {
      ...base,
      status: 'fail',
      evidence: [
        ...evidence,
        `${who} has no ${ROLE_ARN_ANNOTATION} annotation${other.length ? ` (it has ${other.join(', ')})` : ''}`,
      ],
      fix: {
        summary: 'annotate the ServiceAccount with the role, then recreate the pods',
        command: `${annotate('arn:aws:iam::ACCOUNT:role/NAME')}${restart}`,
      },
    };
  }
  evidence.push(`${ROLE_ARN_ANNOTATION}: ${r.roleArnValue}`);
  const parsed = parseRoleArn(r.roleArnValue);
  if (!parsed.ok) {
    return {
      ...base,
      status: 'fail',
      evidence: [
        ...evidence,
        `the value is not a role ARN: ${parsed.problem}; STS answers "ValidationError: Request ARN is invalid"`,
      ],
      fix: {
        summary: 'annotate with the full role ARN (arn:aws:iam::ACCOUNT:role/NAME)',
        command: `${annotate('arn:aws:iam::ACCOUNT:role/NAME')}${restart}`,
      },
    };
  }
  const arn = parsed.arn;
  const expected =
    (r.cluster?.arn && arnPartition(r.cluster.arn)) || (r.cluster && issuerPartition(r.cluster.issuer));
  if (expected && expected !== arn.partition) {
    const fixed = r.roleArnValue.replace(`arn:${arn.partition}:`, `arn:${expected}:`);
    return {
      ...base,
      status: 'fail',
      evidence: [...evidence, `partition "${arn.partition}" is not the cluster's partition "${expected}"`],
      fix: { summary: `use the ${expected} partition`, command: `${annotate(fixed)}${restart}` },
    };
  }
  if (!r.role) {
    const accountRoles = snap.roles.filter((x) => x.accountId === arn.accountId);
    if (!snap.iamAccounts.includes(arn.accountId)) {
      // The exports cover other accounts: a role of the same name there is the classic wrong-account typo.
      const same = snap.roles.filter((x) => x.name === arn.name);
      if (same.length) {
        return {
          ...base,
          status: 'fail',
          evidence: [
            ...evidence,
            `the ARN names account ${arn.accountId}, but role ${arn.name} exists in account ${same.map((x) => x.accountId).join(', ')}`,
          ],
          fix: {
            summary: 'annotate with the ARN of the existing role',
            command: `${annotate(same[0]!.arn)}${restart}`,
          },
          data: { roleArn: r.roleArnValue, suggestion: same[0]!.arn },
        };
      }
      return {
        ...base,
        status: 'warn',
        evidence: [
          ...evidence,
          `account ${arn.accountId}'s IAM is not in ${snap.source}: the role's existence is not checked`,
        ],
        fix: { summary: `export account ${arn.accountId}: aws iam get-account-authorization-details` },
      };
    }
    const guess = nearest(
      arn.name,
      accountRoles.map((x) => x.name),
    );
    const guessArn = guess ? accountRoles.find((x) => x.name === guess)?.arn : undefined;
    return {
      ...base,
      status: 'fail',
      evidence: [
        ...evidence,
        `role ${arn.name} does not exist in account ${arn.accountId}: STS answers "AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity"`,
        ...(guessArn ? [`did you mean ${guessArn}?`] : []),
      ],
      fix: guessArn
        ? { summary: `annotate with the existing role ${guess}`, command: `${annotate(guessArn)}${restart}` }
        : { summary: `create role ${arn.name}, or annotate with an existing role` },
      data: { roleArn: r.roleArnValue, ...(guessArn ? { suggestion: guessArn } : {}) },
    };
  }
  evidence.push(`role ${r.role.arn} exists`);
  return { ...base, status: 'pass', evidence, data: { roleArn: r.role.arn } };
};
