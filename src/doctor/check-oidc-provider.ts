import { issuerKey, issuerPartition, issuerRegion } from './arn.js';
import type { Check } from './check-context.js';
import type { CheckResult, OidcProviderRecord } from './types.js';

const TITLE = "Issuer ↔ IAM OIDC provider: the cluster's issuer has a provider in the role's account";

/** How a provider URL differs from the issuer: scheme, trailing slash, region, cluster ID, host, each named. */
export function issuerDifferences(issuer: string, providerUrl: string): string[] {
  const out: string[] = [];
  const scheme = /^([a-z]+):\/\//i.exec(providerUrl)?.[1];
  if (scheme) out.push(`the provider URL carries a scheme ("${scheme}://"); IAM matches host/path only`);
  const issuerScheme = /^([a-z]+):\/\//i.exec(issuer)?.[1];
  if (issuerScheme && issuerScheme.toLowerCase() !== 'https')
    out.push(`the issuer's scheme is ${issuerScheme}://; STS only fetches https:// issuers`);
  const a = issuer.replace(/^[a-z]+:\/\//i, '');
  const b = providerUrl.replace(/^[a-z]+:\/\//i, '');
  if (a.endsWith('/') !== b.endsWith('/')) {
    out.push(
      b.endsWith('/')
        ? 'the provider URL ends with "/" and the issuer does not'
        : 'the issuer ends with "/" and the provider URL does not',
    );
  }
  const ra = issuerRegion(a);
  const rb = issuerRegion(b);
  if (ra && rb && ra !== rb) out.push(`region differs: issuer ${ra}, provider ${rb}`);
  const ha = a.split('/')[0]?.toLowerCase();
  const hb = b.split('/')[0]?.toLowerCase();
  if (ha !== hb && !(ra && rb && ra !== rb && ha?.replace(ra, '') === hb?.replace(rb, '')))
    out.push(`host differs: issuer ${ha}, provider ${hb}`);
  const ida = issuerKey(a).split('/').slice(1).join('/');
  const idb = issuerKey(b).split('/').slice(1).join('/');
  if (ida !== idb) out.push(`cluster ID differs: issuer /${ida}, provider /${idb}`);
  return out;
}

/** A provider close enough to the issuer to be a near miss: same cluster ID, or same host and path shape. */
function related(issuer: string, p: OidcProviderRecord): boolean {
  const id = issuerKey(issuer).split('/').at(-1)?.toLowerCase();
  return (
    issuerKey(p.url).split('/').at(-1)?.toLowerCase() === id ||
    issuerKey(p.url).toLowerCase() === issuerKey(issuer).toLowerCase()
  );
}

export const checkOidcProvider: Check = (snap, r) => {
  const base = { id: 'oidc-provider', title: TITLE } as const;
  const issuer = r.cluster?.issuer ?? (typeof r.claims.iss === 'string' ? r.claims.iss : undefined);
  if (!issuer) {
    return {
      ...base,
      status: 'skip',
      evidence: ['the cluster issuer is unknown: add `aws eks describe-cluster` output'],
    };
  }
  const account = r.roleArn?.accountId ?? r.cluster?.accountId ?? snap.iamAccounts[0];
  const partition = r.roleArn?.partition ?? issuerPartition(issuer) ?? 'aws';
  const wanted = issuerKey(issuer);
  const evidence = [`cluster issuer: ${issuer}${r.cluster ? ` (cluster ${r.cluster.name})` : ''}`];
  const inAccount = snap.oidcProviders.filter((p) => !account || p.accountId === account);
  const exact = inAccount.find((p) => p.url === wanted);
  const createCmd = `aws iam create-open-id-connect-provider --url ${issuer.replace(/\/+$/, '')} --client-id-list ${r.audience}`;
  if (!exact) {
    if (
      account &&
      !snap.iamAccounts.includes(account) &&
      snap.oidcProviders.every((p) => p.accountId !== account)
    ) {
      return {
        ...base,
        status: 'warn',
        evidence: [
          ...evidence,
          `the OIDC providers of account ${account} (the role's) are not in ${snap.source}`,
        ],
        fix: {
          summary: `export the providers of account ${account}: aws iam list-open-id-connect-providers`,
        },
      };
    }
    evidence.push(
      `no IAM OIDC provider in account ${account ?? '?'} has Url ${wanted}: STS answers "InvalidIdentityToken: No OpenIDConnect provider found in your account for ${issuer}"`,
    );
    const near = snap.oidcProviders.filter((p) => related(issuer, p));
    for (const p of near) {
      const diffs = issuerDifferences(issuer, p.url);
      if (p.accountId !== account)
        diffs.push(
          `it is in account ${p.accountId}, the role is in ${account}: a role's account needs its own provider`,
        );
      evidence.push(`near miss: ${p.arn}: ${diffs.join('; ') || 'differs in case'}`);
    }
    if (!near.length) {
      const listed = inAccount.map((p) => p.url);
      evidence.push(
        listed.length
          ? `providers in the account: ${listed.join(', ')}`
          : 'the account has no OIDC provider at all',
      );
    }
    return {
      ...base,
      status: 'fail',
      evidence,
      fix: {
        summary: `create the provider for the issuer in account ${account ?? ''} (or run eksctl utils associate-iam-oidc-provider --cluster ${r.cluster?.name ?? 'CLUSTER'} --approve)`,
        command: createCmd,
      },
      data: { issuer, account, providers: near.map((p) => p.arn) },
    };
  }
  evidence.push(`provider ${exact.arn} has Url ${exact.url}`);
  const result: CheckResult = {
    ...base,
    status: 'pass',
    evidence,
    data: { issuer, provider: exact.arn, partition },
  };
  if (!exact.clientIds) {
    return {
      ...result,
      status: 'warn',
      evidence: [
        ...evidence,
        'its ClientIDList is unknown: add `aws iam get-open-id-connect-provider` output',
      ],
    };
  }
  if (!exact.clientIds.includes(r.audience)) {
    return {
      ...base,
      status: 'fail',
      evidence: [
        ...evidence,
        `ClientIDList ${JSON.stringify(exact.clientIds)} does not contain the ServiceAccount's audience "${r.audience}": STS answers "InvalidIdentityToken: Incorrect token audience"`,
      ],
      fix: {
        summary: `add "${r.audience}" to the provider's client IDs`,
        command: `aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${exact.arn} --client-id ${r.audience}`,
      },
      data: { issuer, provider: exact.arn, clientIds: exact.clientIds, audience: r.audience },
    };
  }
  evidence.push(`ClientIDList ${JSON.stringify(exact.clientIds)} contains "${r.audience}"`);
  return result;
};
