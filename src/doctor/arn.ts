/** ARN helpers for the doctor (IAM UG "IAM identifiers": arn:partition:service:region:account:resource). */

export const PARTITIONS = [
  'aws',
  'aws-cn',
  'aws-us-gov',
  'aws-iso',
  'aws-iso-b',
  'aws-iso-e',
  'aws-iso-f',
  'aws-eusc',
];

export interface RoleArn {
  partition: string;
  accountId: string;
  /** Path and name, e.g. "service/app-role". */
  resource: string;
  name: string;
}

/** Parses `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`; returns the first problem as a sentence otherwise. */
export function parseRoleArn(arn: string): { ok: true; arn: RoleArn } | { ok: false; problem: string } {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn')
    return { ok: false, problem: `"${arn}" is not an ARN (arn:aws:iam::ACCOUNT:role/NAME)` };
  const [, partition = '', service, region, account = '', ...rest] = parts;
  const resource = rest.join(':');
  if (!PARTITIONS.includes(partition))
    return { ok: false, problem: `partition "${partition}" is not an AWS partition` };
  if (service !== 'iam') return { ok: false, problem: `service is "${service}", a role ARN names "iam"` };
  if (region !== '') return { ok: false, problem: `IAM ARNs have no region, this one has "${region}"` };
  if (!/^\d{12}$/.test(account)) return { ok: false, problem: `account "${account}" is not 12 digits` };
  if (!resource.startsWith('role/') || resource.length <= 5) {
    return { ok: false, problem: `resource "${resource}" is not role/NAME` };
  }
  const resPath = resource.slice(5);
  return {
    ok: true,
    arn: { partition, accountId: account, resource: resPath, name: resPath.split('/').at(-1) ?? resPath },
  };
}

/** The account field of an ARN, when it has one. */
export function arnAccount(arn: string): string | undefined {
  const a = arn.split(':')[4];
  return a && /^\d{12}$/.test(a) ? a : undefined;
}

export function arnPartition(arn: string): string | undefined {
  return arn.startsWith('arn:') ? arn.split(':')[1] : undefined;
}

/** The partition an EKS issuer belongs to, from its host (oidc.eks.cn-north-1.amazonaws.com.cn, us-gov-… regions). */
export function issuerPartition(issuer: string): string | undefined {
  const host = hostOf(issuer);
  if (!host) return undefined;
  if (host.endsWith('.amazonaws.com.cn')) return 'aws-cn';
  const region = issuerRegion(issuer);
  if (region?.startsWith('us-gov-')) return 'aws-us-gov';
  if (host.endsWith('.amazonaws.com')) return 'aws';
  return undefined;
}

/** The region of an EKS issuer host, `oidc.eks.REGION.amazonaws.com`. */
export function issuerRegion(issuer: string): string | undefined {
  return /(?:^|\/\/)oidc\.eks\.([a-z0-9-]+)\.amazonaws\.com/.exec(issuer)?.[1];
}

function hostOf(u: string): string | undefined {
  const m = /^(?:[a-z]+:\/\/)?([^/]+)/i.exec(u);
  return m?.[1]?.toLowerCase();
}

/** The issuer without scheme or trailing slash: what IAM keys providers and condition keys by. */
export function issuerKey(issuer: string): string {
  return issuer.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
}

export function providerArnFor(partition: string, accountId: string, issuer: string): string {
  return `arn:${partition}:iam::${accountId}:oidc-provider/${issuerKey(issuer)}`;
}

/** Levenshtein distance, for "did you mean" hints on names. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The closest candidate within `max` edits, if any. */
export function nearest(name: string, candidates: readonly string[], max = 3): string | undefined {
  let best: string | undefined;
  let bestD = max + 1;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}
