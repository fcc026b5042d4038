import type { Caller, InstanceIdentity, InstanceProfile, MetadataOptions } from './types.js';

/** EC2 accepts token lifetimes from 1 second to 6 hours. */
export const MIN_TOKEN_TTL = 1;
export const MAX_TOKEN_TTL = 21_600;

export interface ImdsRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly caller: Caller;
}

/** The answer, as data. `drop` means the response never reaches the caller (hop limit exceeded). */
export type ImdsResponse =
  | {
      readonly kind: 'reply';
      readonly status: number;
      readonly headers: Record<string, string>;
      readonly body: string;
    }
  | { readonly kind: 'drop'; readonly reason: string };

/** What the handler reads and does; the shell supplies it (store-backed options, STS-backed credentials). */
export interface ImdsContext {
  readonly options: MetadataOptions;
  readonly identity: InstanceIdentity;
  readonly profile: InstanceProfile | undefined;
  readonly now: number;
  /** Registers a new session token for ttl seconds and returns it. */
  issueToken(ttlSeconds: number): string;
  /** True when the token was issued here and has not expired. */
  validToken(token: string): boolean;
  /** The node role's current credentials as EC2 serves them (fetched lazily, refreshed before expiry). */
  credentials(): Promise<{ json: string }>;
  profileUpdatedAt: number;
}

const TTL_HEADER = 'x-aws-ec2-metadata-token-ttl-seconds';
const TOKEN_HEADER = 'x-aws-ec2-metadata-token';

/** EC2's error pages are small XHTML documents with the status in the title. */
function errorPage(status: number, text: string): ImdsResponse {
  const body =
    '<?xml version="1.0" encoding="iso-8859-1"?>\n' +
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n' +
    '\t"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n' +
    '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n' +
    ` <head>\n  <title>${status} - ${text}</title>\n </head>\n <body>\n  <h1>${status} - ${text}</h1>\n </body>\n</html>\n`;
  return { kind: 'reply', status, headers: { 'content-type': 'text/html' }, body };
}

function text(body: string, contentType = 'text/plain'): ImdsResponse {
  return { kind: 'reply', status: 200, headers: { 'content-type': contentType }, body };
}

function header(req: ImdsRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** EC2's JSON documents use two-space indentation and `" : "` between key and value. */
export function ec2Json(obj: Record<string, unknown>): string {
  const lines = Object.entries(obj).map(([k, v]) => `  ${JSON.stringify(k)} : ${JSON.stringify(v)}`);
  return `{\n${lines.join(',\n')}\n}`;
}

/** ISO 8601 to the second, as EC2 writes LastUpdated and Expiration. */
export function ec2Time(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The instance metadata service's decision for one request, as EC2 makes it:
 * - `PUT /latest/api/token` needs the TTL header (1–21600, else 400) and refuses X-Forwarded-For (403);
 *   its response travels with IP TTL = HttpPutResponseHopLimit, so a caller one hop away (a pod behind its
 *   own interface) never sees it when the limit is 1 — the response is dropped, as the packet would be.
 * - a GET carrying a token needs a valid one (401 otherwise, even when tokens are optional);
 *   without a token it is IMDSv1, refused with 401 when HttpTokens=required.
 * - HttpEndpoint=disabled answers 403 to everything (irsakit's choice: EC2 stops answering; the SDKs then
 *   find no credentials either way).
 */
export async function handleImdsRequest(req: ImdsRequest, ctx: ImdsContext): Promise<ImdsResponse> {
  if (ctx.options.HttpEndpoint === 'disabled') return errorPage(403, 'Forbidden');
  const path = req.path.replace(/\/{2,}/g, '/');

  if (path === '/latest/api/token') {
    if (req.method !== 'PUT') return errorPage(405, 'Method Not Allowed');
    if (header(req, 'x-forwarded-for') !== undefined) return errorPage(403, 'Forbidden');
    const raw = header(req, TTL_HEADER);
    const ttl = raw !== undefined && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
    if (!(ttl >= MIN_TOKEN_TTL && ttl <= MAX_TOKEN_TTL)) return errorPage(400, 'Bad Request');
    if (req.caller.kind === 'pod' && ctx.options.HttpPutResponseHopLimit < 2) {
      return {
        kind: 'drop',
        reason: `hop limit ${ctx.options.HttpPutResponseHopLimit}: the pod is 2 hops away`,
      };
    }
    return {
      kind: 'reply',
      status: 200,
      headers: { 'content-type': 'text/plain', [TTL_HEADER]: String(ttl) },
      body: ctx.issueToken(ttl),
    };
  }

  if (req.method !== 'GET' && req.method !== 'HEAD') return errorPage(405, 'Method Not Allowed');
  const token = header(req, TOKEN_HEADER);
  if (token !== undefined) {
    if (!ctx.validToken(token)) return errorPage(401, 'Unauthorized');
  } else if (ctx.options.HttpTokens === 'required') {
    return errorPage(401, 'Unauthorized');
  }
  return serveMetadata(path, ctx);
}

async function serveMetadata(path: string, ctx: ImdsContext): Promise<ImdsResponse> {
  const id = ctx.identity;
  const profile = ctx.profile;
  if (path === '/' || path === '') return text('latest');
  if (path === '/latest' || path === '/latest/') return text('dynamic\nmeta-data');
  if (path === '/latest/dynamic' || path === '/latest/dynamic/') return text('instance-identity/');
  if (path === '/latest/dynamic/instance-identity' || path === '/latest/dynamic/instance-identity/')
    return text('document');
  if (path === '/latest/dynamic/instance-identity/document') {
    // Same fields and order as EC2's document (signature files are not served).
    const doc = {
      accountId: id.accountId,
      architecture: 'x86_64',
      availabilityZone: id.availabilityZone,
      billingProducts: null,
      devpayProductCodes: null,
      marketplaceProductCodes: null,
      imageId: id.imageId,
      instanceId: id.instanceId,
      instanceType: id.instanceType,
      kernelId: null,
      pendingTime: ec2Time(id.launchedAt),
      privateIp: id.privateIp,
      ramdiskId: null,
      region: id.region,
      version: '2017-09-30',
    };
    return text(ec2Json(doc), 'application/json');
  }
  const prefix = '/latest/meta-data';
  if (path !== prefix && !path.startsWith(`${prefix}/`)) return errorPage(404, 'Not Found');
  const rest = path.slice(prefix.length).replace(/^\//, '');

  const leaves: Record<string, string> = {
    'ami-id': id.imageId,
    'ami-launch-index': '0',
    hostname: id.hostname,
    'instance-id': id.instanceId,
    'instance-life-cycle': 'on-demand',
    'instance-type': id.instanceType,
    'local-hostname': id.hostname,
    'local-ipv4': id.privateIp,
    mac: id.mac,
    'placement/availability-zone': id.availabilityZone,
    'placement/region': id.region,
    'reservation-id': `r-${id.instanceId.slice(2)}`,
    'security-groups': 'eks-cluster-sg-irsakit',
    'services/domain': 'amazonaws.com',
    'services/partition': 'aws',
  };
  if (profile) {
    leaves['iam/info'] = ec2Json({
      Code: 'Success',
      LastUpdated: ec2Time(ctx.profileUpdatedAt),
      InstanceProfileArn: profile.arn,
      InstanceProfileId: profile.id,
    });
  }

  if (profile && rest.replace(/\/$/, '') === 'iam/security-credentials') {
    return text(profile.roleName);
  }
  if (profile && rest === `iam/security-credentials/${profile.roleName}`) {
    return text((await ctx.credentials()).json);
  }
  const leaf = leaves[rest];
  if (leaf !== undefined) return text(leaf);

  // A directory: list its children, sub-directories with a trailing slash.
  const dir = rest === '' ? '' : rest.endsWith('/') ? rest : `${rest}/`;
  const children = new Set<string>();
  const keys = [...Object.keys(leaves), ...(profile ? ['iam/security-credentials/'] : [])];
  for (const key of keys) {
    if (!key.startsWith(dir)) continue;
    const tail = key.slice(dir.length);
    const slash = tail.indexOf('/');
    children.add(slash === -1 ? tail : tail.slice(0, slash + 1));
  }
  children.delete('');
  if (children.size === 0) return errorPage(404, 'Not Found');
  return text([...children].sort().join('\n'));
}
