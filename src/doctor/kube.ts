import type { KubeObj } from './types.js';

/** Small readers over Kubernetes objects kept as open records (pods and ServiceAccounts from any source). */

export const ANNOTATION_PREFIX = 'eks.amazonaws.com';
export const ROLE_ARN_ANNOTATION = `${ANNOTATION_PREFIX}/role-arn`;
export const AUDIENCE_ANNOTATION = `${ANNOTATION_PREFIX}/audience`;
export const SKIP_CONTAINERS_ANNOTATION = `${ANNOTATION_PREFIX}/skip-containers`;
/** The webhook's objectSelector opts a pod out when this label exists (deploy/mutatingwebhook.yaml). */
export const SKIP_WEBHOOK_LABEL = `${ANNOTATION_PREFIX}/skip-pod-identity-webhook`;
export const DEFAULT_AUDIENCE = 'sts.amazonaws.com';
export const TOKEN_DIR = '/var/run/secrets/eks.amazonaws.com/serviceaccount';
export const TOKEN_FILE = `${TOKEN_DIR}/token`;

export interface Container {
  name: string;
  init: boolean;
  env: { name: string; value?: string; valueFrom?: Record<string, unknown> }[];
  envFrom: Record<string, unknown>[];
  volumeMounts: { name: string; mountPath: string }[];
  securityContext: Record<string, unknown>;
}

type J = Record<string, unknown>;
const obj = (v: unknown): J => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as J) : {});
const list = (v: unknown): J[] =>
  (Array.isArray(v) ? v.filter((x) => x !== null && typeof x === 'object') : []) as J[];

export const spec = (pod: KubeObj): J => obj(pod.spec);
export const annotations = (o: KubeObj | undefined): Record<string, string> =>
  (o?.metadata?.annotations ?? {}) as Record<string, string>;
export const labels = (o: KubeObj | undefined): Record<string, string> =>
  (o?.metadata?.labels ?? {}) as Record<string, string>;

/** `spec.serviceAccountName`, then the deprecated `serviceAccount`, then "default" (the admission plugin's default). */
export function podServiceAccount(pod: KubeObj): string {
  const sp = spec(pod);
  return (
    (typeof sp.serviceAccountName === 'string' && sp.serviceAccountName) ||
    (typeof sp.serviceAccount === 'string' && sp.serviceAccount) ||
    'default'
  );
}

export function containers(pod: KubeObj): Container[] {
  const sp = spec(pod);
  const read = (c: J, init: boolean): Container => ({
    name: String(c.name ?? ''),
    init,
    env: list(c.env).map((e) => ({
      name: String(e.name ?? ''),
      ...(typeof e.value === 'string' ? { value: e.value } : {}),
      ...(e.valueFrom ? { valueFrom: obj(e.valueFrom) } : {}),
    })),
    envFrom: list(c.envFrom),
    volumeMounts: list(c.volumeMounts).map((m) => ({
      name: String(m.name ?? ''),
      mountPath: String(m.mountPath ?? ''),
    })),
    securityContext: obj(c.securityContext),
  });
  return [
    ...list(sp.initContainers).map((c) => read(c, true)),
    ...list(sp.containers).map((c) => read(c, false)),
  ];
}

/** The containers the webhook mutates: all but those named in the pod's skip-containers annotation. */
export function mutableContainers(pod: KubeObj): { included: Container[]; skipped: string[] } {
  const skip = new Set(
    (annotations(pod)[SKIP_CONTAINERS_ANNOTATION] ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );
  const all = containers(pod);
  return {
    included: all.filter((c) => !skip.has(c.name)),
    skipped: all.filter((c) => skip.has(c.name)).map((c) => c.name),
  };
}

export const envValue = (c: Container, name: string): string | undefined =>
  c.env.find((e) => e.name === name)?.value;
export const hasEnv = (c: Container, name: string): boolean => c.env.some((e) => e.name === name);

export function volumes(pod: KubeObj): J[] {
  return list(spec(pod).volumes);
}

/** The projected serviceAccountToken source of the volume mounted at the IRSA token directory, if any. */
export function irsaTokenProjection(
  pod: KubeObj,
): { volume: string; audience?: string; expirationSeconds?: number; defaultMode?: number } | undefined {
  for (const v of volumes(pod)) {
    for (const src of list(obj(v.projected).sources)) {
      const t = obj(src.serviceAccountToken);
      if (src.serviceAccountToken && (v.name === 'aws-iam-token' || v.name === 'aws-token')) {
        return {
          volume: String(v.name),
          ...(typeof t.audience === 'string' ? { audience: t.audience } : {}),
          ...(typeof t.expirationSeconds === 'number' ? { expirationSeconds: t.expirationSeconds } : {}),
          ...(typeof obj(v.projected).defaultMode === 'number'
            ? { defaultMode: obj(v.projected).defaultMode as number }
            : {}),
        };
      }
    }
  }
  return undefined;
}

export const podSecurityContext = (pod: KubeObj): J => obj(spec(pod).securityContext);

/** Parses an RFC 3339 timestamp to ms, or undefined. */
export function time(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * When the role-arn annotation was last written: the newest managedFields entry that owns it (shown by
 * `kubectl get -o json --show-managed-fields`), else the ServiceAccount's creation time.
 */
export function annotationTime(
  sa: KubeObj,
  key: string,
): { at: number; how: 'managedFields' | 'creationTimestamp' } | undefined {
  let best: number | undefined;
  for (const mf of sa.metadata?.managedFields ?? []) {
    const f = obj(obj(obj(mf.fieldsV1)['f:metadata'])['f:annotations']);
    if (`f:${key}` in f) {
      const t = time(mf.time);
      if (t !== undefined && (best === undefined || t > best)) best = t;
    }
  }
  if (best !== undefined) return { at: best, how: 'managedFields' };
  const c = time(sa.metadata?.creationTimestamp);
  return c === undefined ? undefined : { at: c, how: 'creationTimestamp' };
}

export const nsName = (o: KubeObj | undefined): string =>
  `${o?.metadata?.namespace ?? 'default'}/${o?.metadata?.name ?? '?'}`;
