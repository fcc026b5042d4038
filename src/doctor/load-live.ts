import { request as httpsRequest } from 'node:https';
import { XMLParser } from 'fast-xml-parser';
import { type SigningCredentials, signRequest } from '../aws/index.js';
import { TOKEN_FILE } from './kube.js';
import { type ExportDocument, loadFromDocuments } from './load-from-exports.js';
import { decodeClaims } from './resolve-subject.js';
import type { Snapshot } from './types.js';

/** Calls the instance's control API (under /_irsakit); the CLI passes its adminRequest. */
export type ControlRequest = (method: string, path: string, body?: unknown) => Promise<unknown>;

export interface LiveOptions {
  /** The AWS endpoint (the instance's own, or AWS's) and the credentials to sign IAM/Organizations calls with. */
  aws?: { endpoint: string; credentials: SigningCredentials; region?: string };
  now?: () => number;
}

type J = Record<string, unknown>;

/** GET over HTTPS trusting one CA (the local issuer's certificate is signed by irsakit's CA). */
function httpsGetJson(url: string, caPem: string | undefined): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      { method: 'GET', ...(caPem ? { ca: caPem } : {}), timeout: 5000 },
      (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => {
          if ((res.statusCode ?? 0) >= 400) reject(new Error(`${url}: HTTP ${res.statusCode}`));
          else {
            try {
              resolve(JSON.parse(body));
            } catch (err) {
              reject(err);
            }
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** XML `<X><member>…</member></X>` lists become arrays, as the CLI's JSON has them. */
function unwrapMembers(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unwrapMembers);
  if (v === null || typeof v !== 'object') return v;
  const o = v as J;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === 'member') {
    const m = o.member;
    return (Array.isArray(m) ? m : [m]).map(unwrapMembers);
  }
  if (keys.length === 0) return [];
  return Object.fromEntries(keys.map((k) => [k, unwrapMembers(o[k])]));
}

/**
 * Reads the running instance (or a real account and cluster through the same APIs) into the export shapes, then
 * builds the Snapshot with the export loader: the clusters and their JWKS, ServiceAccounts, pods, the node's
 * metadata options, the webhook registration and each IRSA pod's token file (read through exec), and, when
 * credentials are given, IAM (GetAccountAuthorizationDetails, OIDC providers) and Organizations policies.
 */
export async function loadLive(
  control: ControlRequest,
  source: string,
  opts: LiveOptions = {},
): Promise<{ snapshot: Snapshot; mintToken: (ns: string, sa: string, aud: string) => Promise<string> }> {
  const docs: ExportDocument[] = [];
  const warnings: string[] = [];
  const add = (path: string, v: unknown) =>
    docs.push({ path, text: typeof v === 'string' ? v : JSON.stringify(v) });
  const get = async (path: string): Promise<unknown> => {
    try {
      return await control('GET', path);
    } catch (err) {
      warnings.push(`GET /_irsakit${path}: ${(err as Error).message}`);
      return undefined;
    }
  };

  const clusters = ((await get('/clusters')) as { clusters?: J[] } | undefined)?.clusters ?? [];
  for (const c of clusters) {
    const issuer = String(c.issuerUrl ?? '');
    add(`eks/${c.name}.json`, {
      cluster: { name: c.name, arn: c.arn, version: c.version, identity: { oidc: { issuer } } },
    });
    add(`jwks/${c.name}/openid-configuration.json`, { issuer, jwks_uri: `${issuer}/keys` });
    try {
      add(
        `jwks/${c.name}/jwks.json`,
        await httpsGetJson(`${issuer}/keys`, c.caCertificatePem as string | undefined),
      );
    } catch (err) {
      warnings.push(`JWKS of ${issuer}: ${(err as Error).message}`);
    }
  }
  for (const path of [
    '/k8s/api/v1/serviceaccounts',
    '/k8s/api/v1/pods',
    '/k8s/api/v1/nodes',
    '/k8s/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
  ]) {
    const v = await get(path);
    if (v) add(`k8s${path.replaceAll('/', '-')}.json`, v);
  }
  const nodes = (
    (docs.find((d) => d.path.includes('nodes'))?.text &&
      JSON.parse(docs.find((d) => d.path.includes('nodes'))!.text)) as J | undefined
  )?.items as J[] | undefined;
  const mo = (await get('/node/metadata-options')) as J | undefined;
  if (mo && nodes?.[0]) {
    add('ec2.json', {
      Reservations: [
        {
          Instances: [
            {
              InstanceId: mo.InstanceId,
              PrivateDnsName: (nodes[0].metadata as J | undefined)?.name,
              MetadataOptions: mo.InstanceMetadataOptions,
            },
          ],
        },
      ],
    });
  }
  // Token files: read from inside each IRSA pod, as `kubectl exec … cat` would.
  const pods = ((JSON.parse(docs.find((d) => d.path.endsWith('-pods.json'))?.text ?? '{}') as J).items ??
    []) as J[];
  for (const p of pods) {
    const meta = (p.metadata ?? {}) as J;
    const containers = (((p.spec ?? {}) as J).containers ?? []) as J[];
    const irsa = containers.find((c) =>
      ((c.env ?? []) as J[]).some((e) => e.name === 'AWS_WEB_IDENTITY_TOKEN_FILE'),
    );
    if (!irsa) continue;
    const base = `/k8s/api/v1/namespaces/${meta.namespace}/pods/${meta.name}/exec`;
    try {
      const cat = (await control('POST', base, { container: irsa.name, command: ['cat', TOKEN_FILE] })) as J;
      if (cat.exitCode === 0 && decodeClaims(String(cat.stdout ?? '')))
        add(`tokens/${meta.namespace}/${meta.name}.jwt`, String(cat.stdout));
      const st = (await control('POST', base, {
        container: irsa.name,
        command: ['stat', '-L', '-c', '%a %u %g', TOKEN_FILE],
      })) as J;
      if (st.exitCode === 0) add(`tokens/${meta.namespace}/${meta.name}.stat`, String(st.stdout));
    } catch {
      // A pod that is not running has no file to read; the token check says so.
    }
  }

  if (opts.aws) {
    const aws = opts.aws;
    const now = opts.now ?? Date.now;
    const xml = new XMLParser({
      ignoreAttributes: true,
      parseTagValue: false,
      isArray: (name) => name === 'member',
    });
    const query = async (params: Record<string, string>): Promise<J> => {
      const body = new URLSearchParams({ ...params, Version: '2010-05-08' }).toString();
      const url = new URL('/', aws.endpoint);
      const headers = { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
      const signed = signRequest({
        method: 'POST',
        url: '/',
        headers,
        body,
        credentials: aws.credentials,
        region: 'us-east-1',
        service: 'iam',
        now: now(),
      });
      const res = await fetch(new URL(signed.url, aws.endpoint), {
        method: 'POST',
        headers: signed.headers,
        body,
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${params.Action}: HTTP ${res.status}: ${text.slice(0, 200)}`);
      const doc = xml.parse(text) as J;
      const response = Object.values(doc).find((v) => v && typeof v === 'object') as J;
      return unwrapMembers(response[`${params.Action}Result`] ?? {}) as J;
    };
    const orgs = async (target: string, payload: J): Promise<J> => {
      const body = JSON.stringify(payload);
      const url = new URL('/', aws.endpoint);
      const headers = {
        host: url.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `AWSOrganizationsV20161128.${target}`,
      };
      const signed = signRequest({
        method: 'POST',
        url: '/',
        headers,
        body,
        credentials: aws.credentials,
        region: 'us-east-1',
        service: 'organizations',
        now: now(),
      });
      const res = await fetch(new URL(signed.url, aws.endpoint), {
        method: 'POST',
        headers: signed.headers,
        body,
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${target}: HTTP ${res.status}: ${text.slice(0, 200)}`);
      return JSON.parse(text) as J;
    };
    try {
      let marker: string | undefined;
      let page = 0;
      do {
        const r = await query({
          Action: 'GetAccountAuthorizationDetails',
          ...(marker ? { Marker: marker } : {}),
        });
        add(`iam/authorization-details-${page++}.json`, r);
        marker = r.IsTruncated === 'true' ? String(r.Marker) : undefined;
      } while (marker);
      const list = await query({ Action: 'ListOpenIDConnectProviders' });
      add('iam/oidc-providers.json', list);
      for (const p of (list.OpenIDConnectProviderList ?? []) as J[]) {
        const d = await query({
          Action: 'GetOpenIDConnectProvider',
          OpenIDConnectProviderArn: String(p.Arn),
        });
        add(`iam/oidc-provider-${String(p.Arn).split('/').at(-1)}.json`, d);
      }
    } catch (err) {
      warnings.push(`IAM: ${(err as Error).message}`);
    }
    // The account's path up to the root, so OU-attached policies are placed on the levels that apply to it.
    try {
      // The cluster's ARN names the account it runs in (arn:aws:eks:REGION:ACCOUNT:cluster/NAME).
      let child = /^arn:aws[\w-]*:eks:[^:]*:(\d{12}):/.exec(String(clusters[0]?.arn ?? ''))?.[1] ?? '';
      for (let depth = 0; child && !child.startsWith('r-') && depth < 6; depth++) {
        const parents = await orgs('ListParents', { ChildId: child });
        add(`organizations/parents-${child}.json`, parents);
        child = String(((parents.Parents ?? []) as J[])[0]?.Id ?? '');
      }
    } catch (err) {
      warnings.push(`Organizations ListParents: ${(err as Error).message}`);
    }
    for (const filter of ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY']) {
      try {
        const l = await orgs('ListPolicies', { Filter: filter });
        add(`organizations/${filter}.json`, l);
        for (const p of (l.Policies ?? []) as J[]) {
          add(`organizations/${p.Id}.json`, await orgs('DescribePolicy', { PolicyId: p.Id }));
          // Where it is attached decides whether and at which level it applies (load-from-exports.ts).
          add(`organizations/targets-${p.Id}.json`, await orgs('ListTargetsForPolicy', { PolicyId: p.Id }));
        }
      } catch (err) {
        warnings.push(`Organizations ${filter}: ${(err as Error).message}`);
      }
    }
  } else {
    warnings.push(
      'no AWS credentials (IRSAKIT_ADMIN_ACCESS_KEY_ID/IRSAKIT_ADMIN_SECRET_ACCESS_KEY): IAM was not read',
    );
  }

  const snapshot = loadFromDocuments(docs, source);
  snapshot.warnings.push(...warnings);
  const mintToken = async (ns: string, sa: string, aud: string): Promise<string> => {
    const cluster = String(clusters[0]?.name ?? 'local');
    const r = (await control('POST', `/clusters/${encodeURIComponent(cluster)}/token`, {
      namespace: ns,
      serviceAccount: sa,
      audiences: [aud],
    })) as { token: string };
    return r.token;
  };
  return { snapshot, mintToken };
}
