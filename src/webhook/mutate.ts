import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { DEFAULT_TOKEN_EXPIRATION, MIN_TOKEN_EXPIRATION } from './config.js';
import { parseSkipContainers } from './parse-skip-containers.js';
import type {
  Container,
  EnvVar,
  JsonPatchOp,
  MutationMode,
  MutationResult,
  Pod,
  ServiceAccount,
  Volume,
  WebhookConfig,
} from './types.js';

/** The IRSA volume name and token file name are fixed in the reference (no flag). */
export const IRSA_VOLUME_NAME = 'aws-iam-token';
const IRSA_TOKEN_PATH = 'token';
/** Written in Pod Identity mode; the key is fixed and does not follow the annotation prefix (reference PR #295). */
export const POD_IDENTITY_LABEL = 'eks.amazonaws.com/pod-identity';
/** Pod Identity jitters the default lifetime over [79200, 86400] so that a fleet does not refresh at once. */
const JITTER_MIN = 79_200;

export interface MutateOptions {
  /** The AdmissionRequest namespace; it wins over pod.metadata.namespace, which is often empty at CREATE. */
  namespace?: string;
  /** Injected randomness (Pod Identity jitter). */
  random?: (n: number) => Buffer;
}

interface Plan {
  mode: MutationMode;
  volumeName: string;
  mountPath: string;
  tokenPath: string;
  audience: string;
  expiration: number;
  sts: boolean;
  /** The credential pair, in the order it is appended. */
  creds: [EnvVar, EnvVar];
  reason: string;
}

/**
 * The pure core of the pod identity webhook: what a pod needs so that its AWS SDKs pick up the ServiceAccount's
 * role. Returns targeted `add` operations (per env entry, per mount) so that container fields the webhook does
 * not know survive, unlike the reference, which re-encodes whole container arrays (issue #208).
 */
export function mutate(
  pod: Pod,
  serviceAccount: ServiceAccount | undefined,
  config: WebhookConfig,
  opts: MutateOptions = {},
): MutationResult {
  const spec = pod.spec;
  if (!spec || typeof spec !== 'object') return { decision: 'none', reason: 'no-spec', warnings: [] };
  const namespace =
    opts.namespace || pod.metadata?.namespace || serviceAccount?.metadata.namespace || 'default';
  // The ServiceAccount admission plugin runs first and defaults the name to "default".
  const saName = spec.serviceAccountName || 'default';
  const podAnnotations = pod.metadata?.annotations ?? {};
  const saAnnotations = serviceAccount?.metadata.annotations ?? {};
  const prefix = config.annotationPrefix;
  const podExpiration = parseExpiration(podAnnotations[`${prefix}/token-expiration`]);

  let plan: Plan;
  const pi = config.podIdentity;
  if (pi?.associations.has(`${namespace}/${saName}`)) {
    // Pod Identity wins even when the SA also has a role-arn (reference fixture containercredentials/rawPodWithRoleArn).
    let expiration = serviceAccount
      ? (parseExpiration(saAnnotations[`${prefix}/token-expiration`]) ?? config.tokenExpiration)
      : DEFAULT_TOKEN_EXPIRATION;
    expiration = podExpiration ?? expiration;
    if (expiration === DEFAULT_TOKEN_EXPIRATION) {
      const buf = (opts.random ?? randomBytes)(6);
      expiration = JITTER_MIN + (buf.readUIntBE(0, 6) % (DEFAULT_TOKEN_EXPIRATION - JITTER_MIN + 1));
    }
    const tokenFile = joinPath(pi.mountPath, pi.tokenPath);
    plan = {
      mode: 'pod-identity',
      volumeName: pi.volumeName,
      mountPath: pi.mountPath,
      tokenPath: pi.tokenPath,
      audience: pi.audience,
      expiration,
      sts: serviceAccount
        ? (parseBool(saAnnotations[`${prefix}/sts-regional-endpoints`]) ?? config.stsRegionalEndpoints)
        : false,
      creds: [
        { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: pi.fullUri },
        { name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', value: windowsAware(spec, tokenFile) },
      ],
      reason: `pod identity association for ${namespace}/${saName}`,
    };
  } else {
    if (!serviceAccount) return { decision: 'none', reason: 'no-service-account', warnings: [] };
    const roleArn = saAnnotations[`${prefix}/role-arn`];
    if (!roleArn) return { decision: 'none', reason: 'no-role-arn', warnings: [] };
    const audience = saAnnotations[`${prefix}/audience`];
    plan = {
      mode: 'irsa',
      volumeName: IRSA_VOLUME_NAME,
      mountPath: config.mountPath,
      tokenPath: IRSA_TOKEN_PATH,
      // Present but empty is kept: the volume then omits audience and the API server uses its own default.
      audience: audience ?? config.audience,
      expiration:
        podExpiration ??
        parseExpiration(saAnnotations[`${prefix}/token-expiration`]) ??
        config.tokenExpiration,
      sts: parseBool(saAnnotations[`${prefix}/sts-regional-endpoints`]) ?? config.stsRegionalEndpoints,
      creds: [
        { name: 'AWS_ROLE_ARN', value: roleArn },
        {
          name: 'AWS_WEB_IDENTITY_TOKEN_FILE',
          value: windowsAware(spec, joinPath(config.mountPath, IRSA_TOKEN_PATH)),
        },
      ],
      reason: `role-arn annotation on ServiceAccount ${namespace}/${saName}`,
    };
  }

  const patch: JsonPatchOp[] = [];
  const warnings: string[] = [];

  if (plan.mode === 'pod-identity') {
    const labels = pod.metadata?.labels;
    if (!pod.metadata) {
      patch.push({ op: 'add', path: '/metadata', value: { labels: { [POD_IDENTITY_LABEL]: 'enabled' } } });
    } else if (!labels) {
      patch.push({ op: 'add', path: '/metadata/labels', value: { [POD_IDENTITY_LABEL]: 'enabled' } });
    } else if (labels[POD_IDENTITY_LABEL] !== 'enabled') {
      patch.push({
        op: 'add',
        path: `/metadata/labels/${escapePointer(POD_IDENTITY_LABEL)}`,
        value: 'enabled',
      });
    }
  }

  const volumes = Array.isArray(spec.volumes) ? spec.volumes : undefined;
  const existing = volumes?.find((v) => v?.name === plan.volumeName);
  if (existing) {
    // Kept as the reference keeps it; but say so when it cannot hold a token (reference issue #315).
    if (!isProjectedToken(existing)) {
      warnings.push(
        `volume ${plan.volumeName} already exists and is not a projected serviceAccountToken; ` +
          `${plan.creds[1].name} may point at a file that holds no token`,
      );
    }
  } else {
    const volume = tokenVolume(plan);
    // The reference prepends (index 0) rather than appending; same position here so pods compare equal.
    if (volumes) patch.push({ op: 'add', path: '/spec/volumes/0', value: volume });
    else patch.push({ op: 'add', path: '/spec/volumes', value: [volume] });
  }

  const skip = parseSkipContainers(podAnnotations[`${prefix}/skip-containers`]);
  for (const list of ['containers', 'initContainers'] as const) {
    const containers = spec[list];
    if (!Array.isArray(containers)) continue;
    containers.forEach((c, i) => {
      if (!c || typeof c !== 'object' || skip.has(c.name)) return;
      containerOps(c, `/spec/${list}/${i}`, plan, config, patch, warnings);
    });
  }

  if (patch.length === 0)
    return { decision: 'none', mode: plan.mode, reason: 'already-configured', warnings };
  return { decision: 'patch', mode: plan.mode, patch, reason: plan.reason, warnings };
}

function containerOps(
  c: Container,
  base: string,
  plan: Plan,
  config: WebhookConfig,
  patch: JsonPatchOp[],
  warnings: string[],
): void {
  // Existing variables are found by name only (value, valueFrom and envFrom are not looked at), as the reference.
  const env = Array.isArray(c.env) ? c.env : undefined;
  let credsDefined = false;
  let regionDefined = false;
  let stsDefined = false;
  let endpointDefined = false;
  for (const e of env ?? []) {
    const name = e?.name;
    if (name === plan.creds[0].name || name === plan.creds[1].name) credsDefined = true;
    else if (name === 'AWS_REGION' || name === 'AWS_DEFAULT_REGION') regionDefined = true;
    else if (name === 'AWS_STS_REGIONAL_ENDPOINTS') stsDefined = true;
    else if (name === 'AWS_ENDPOINT_URL_STS' || name === 'AWS_ENDPOINT_URL') endpointDefined = true;
  }
  // A container that already has all three is left alone entirely, mount included (fixture rawPodHasAll).
  if (credsDefined && regionDefined && stsDefined) return;

  const add: EnvVar[] = [];
  if (!stsDefined && plan.sts) add.push({ name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' });
  // Either region variable present suppresses both.
  if (!regionDefined && config.region) {
    add.push({ name: 'AWS_DEFAULT_REGION', value: config.region });
    add.push({ name: 'AWS_REGION', value: config.region });
  }
  // Either variable of the pair present suppresses both (fixture rawPodSkip).
  if (!credsDefined) add.push({ ...plan.creds[0] }, { ...plan.creds[1] });
  if (plan.mode === 'irsa' && config.stsEndpoint && !endpointDefined) {
    add.push({ name: 'AWS_ENDPOINT_URL_STS', value: config.stsEndpoint });
  }
  if (add.length > 0) {
    if (env) for (const e of add) patch.push({ op: 'add', path: `${base}/env/-`, value: e });
    else patch.push({ op: 'add', path: `${base}/env`, value: add });
  }

  const mounts = Array.isArray(c.volumeMounts) ? c.volumeMounts : undefined;
  if (mounts?.some((m) => m?.name === plan.volumeName)) return; // kept as-is, whatever its path
  const clash = mounts?.find((m) => samePath(m?.mountPath, plan.mountPath));
  if (clash) {
    // Adding ours would make the pod invalid ("mountPath must be unique", reference issue #159).
    warnings.push(
      `container ${c.name}: ${plan.mountPath} is already mounted from volume ${clash.name}; ` +
        `the token mount was not added`,
    );
    return;
  }
  const mount = { name: plan.volumeName, readOnly: true, mountPath: plan.mountPath };
  if (mounts) patch.push({ op: 'add', path: `${base}/volumeMounts/-`, value: mount });
  else patch.push({ op: 'add', path: `${base}/volumeMounts`, value: [mount] });
}

function tokenVolume(plan: Plan): Volume {
  const sat: Record<string, unknown> = {};
  // An empty audience is omitted, as Go's omitempty does; the API server then applies its own audiences.
  if (plan.audience) sat.audience = plan.audience;
  sat.expirationSeconds = plan.expiration;
  sat.path = plan.tokenPath;
  return { name: plan.volumeName, projected: { sources: [{ serviceAccountToken: sat }] } };
}

function isProjectedToken(v: Volume): boolean {
  const sources = (v.projected as { sources?: unknown } | undefined)?.sources;
  return (
    Array.isArray(sources) &&
    sources.some((s) => s && typeof s === 'object' && 'serviceAccountToken' in (s as object))
  );
}

/** Windows pods (by nodeSelector only, as the reference) get `C:\var\run\...`; the mount path stays Unix. */
function windowsAware(spec: { nodeSelector?: Record<string, string> | null }, path: string): string {
  const sel = spec.nodeSelector ?? {};
  const windows = sel['kubernetes.io/os'] === 'windows' || sel['beta.kubernetes.io/os'] === 'windows';
  return windows ? `C:${path.replaceAll('/', '\\')}` : path;
}

function samePath(a: string | undefined, b: string): boolean {
  if (!a) return false;
  if (a === b) return true;
  return normalizePath(a) === normalizePath(b);
}

function normalizePath(p: string): string {
  // The common case (no "//", "." or ".." segments) needs no full normalisation.
  const simple = !p.includes('//') && !p.includes('/.');
  return (simple ? p : posix.normalize(p)).replace(/(.)\/+$/, '$1');
}

const joined = new Map<string, string>();
/** Go filepath.Join (cleans the result); memoised, as the inputs are a handful of configured paths. */
function joinPath(dir: string, file: string): string {
  const key = `${dir}\0${file}`;
  let v = joined.get(key);
  if (v === undefined) {
    v = posix.join(dir, file);
    if (joined.size < 64) joined.set(key, v);
  }
  return v;
}

/** RFC 6901: `~` becomes `~0` and `/` becomes `~1`. */
function escapePointer(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Go strconv.ParseBool: undefined for anything it would reject, so the default applies. */
export function parseBool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

const INT64_MAX = 9_223_372_036_854_775_807n;
const INT64_MIN = -9_223_372_036_854_775_808n;

/**
 * A token-expiration annotation as the reference reads it: Go strconv.ParseInt base 10 (sign allowed, no spaces,
 * no units), undefined on error; values under 600 become 600; no maximum.
 */
export function parseExpiration(v: string | undefined): number | undefined {
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return undefined;
  const n = BigInt(v);
  if (n > INT64_MAX || n < INT64_MIN) return undefined;
  return Math.max(MIN_TOKEN_EXPIRATION, Number(n));
}
