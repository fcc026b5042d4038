import type { Check } from './check-context.js';
import {
  type Container,
  hasEnv,
  irsaTokenProjection,
  mutableContainers,
  podSecurityContext,
} from './kube.js';
import { audList } from './resolve-subject.js';
import type { KubeObj } from './types.js';

const TITLE = "Token: signature, lifetime, audience, and the pod's user can read the file";

const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) ? v : undefined;
const octal = (m: number) => m.toString(8).padStart(4, '0');

/**
 * The projected token file's mode and owner as the kubelet writes it, when not exported (kubernetes
 * pkg/volume/projected): before 1.19 0600 root:root; since then the projected volume's defaultMode (0644 unless set), or 0600
 * owned by the pods' common runAsUser when one is set for all containers; fsGroup makes it 0640 group fsGroup.
 */
export function derivedTokenFile(
  pod: KubeObj,
  version: string | undefined,
): { mode: number; uid: number; gid: number; how: string } {
  const psc = podSecurityContext(pod);
  const fsGroup = num(psc.fsGroup);
  const minor = version ? Number(/^1\.(\d+)/.exec(version)?.[1]) : Number.NaN;
  const old = Number.isFinite(minor) && minor < 19;
  const uids = new Set(
    mutableContainers(pod).included.map((c) => num(c.securityContext.runAsUser) ?? num(psc.runAsUser)),
  );
  const fsUser = !old && uids.size === 1 ? [...uids][0] : undefined;
  // The kubelet starts from the projected volume's defaultMode (0644 unless the pod says otherwise) and
  // narrows a service-account token to 0600 when the pod has an fsUser or fsGroup (pkg/volume/projected).
  const defaultMode = irsaTokenProjection(pod)?.defaultMode ?? 0o644;
  let mode = old || fsUser !== undefined || fsGroup !== undefined ? 0o600 : defaultMode;
  if (fsGroup !== undefined) mode |= 0o040;
  return {
    mode,
    uid: fsUser ?? 0,
    gid: fsGroup ?? 0,
    how: `as the kubelet writes it${version ? ` on Kubernetes ${version}` : ''} for this pod spec`,
  };
}

/** Whether a container's process can read a file; `undefined` uid means the image's user (root unless runAsNonRoot). */
export function canRead(
  c: Container,
  pod: KubeObj,
  f: { mode: number; uid: number; gid: number },
): { ok: boolean; who: string } {
  const psc = podSecurityContext(pod);
  const uid = num(c.securityContext.runAsUser) ?? num(psc.runAsUser);
  const nonRoot = c.securityContext.runAsNonRoot === true || psc.runAsNonRoot === true;
  const gid = num(c.securityContext.runAsGroup) ?? num(psc.runAsGroup);
  const groups = [
    gid,
    num(psc.fsGroup),
    ...(Array.isArray(psc.supplementalGroups) ? psc.supplementalGroups.map(num) : []),
  ].filter((g): g is number => g !== undefined);
  const who = `uid ${uid ?? (nonRoot ? "(image's, non-root)" : "(image's)")}${groups.length ? `, groups ${groups.join(',')}` : ''}`;
  if (uid === 0 || (uid === undefined && !nonRoot)) return { ok: true, who };
  if (uid !== undefined && uid === f.uid && f.mode & 0o400) return { ok: true, who };
  if (groups.includes(f.gid) && f.mode & 0o040) return { ok: true, who };
  return { ok: (f.mode & 0o004) !== 0, who };
}

export const checkToken: Check = async (_snap, r, ctx) => {
  const base = { id: 'token', title: TITLE } as const;
  if (!r.pod)
    return {
      ...base,
      status: 'skip',
      evidence: [
        'no pod: the kubelet writes the token when a pod runs (the trust check used a token for the ServiceAccount)',
      ],
    };
  const pod = r.pod;
  const { included } = mutableContainers(pod);
  const irsa = included.filter((c) => hasEnv(c, 'AWS_WEB_IDENTITY_TOKEN_FILE'));
  if (!irsa.length)
    return { ...base, status: 'skip', evidence: ['the pod has no IRSA token (see the pod mutation check)'] };
  const evidence: string[] = [];
  const failures: string[] = [];
  let fix: { summary: string; command?: string } | undefined;

  // Readability first: it needs no token, only the pod spec (or the exported stat of the file).
  const file = r.token?.file
    ? { ...r.token.file, how: 'from the exported stat' }
    : derivedTokenFile(pod, r.cluster?.version);
  evidence.push(`token file mode ${octal(file.mode)} owner ${file.uid}:${file.gid} (${file.how})`);
  for (const c of irsa) {
    const rd = canRead(c, pod, file);
    if (!rd.ok) {
      failures.push(
        `container ${c.name} (${rd.who}) cannot read the token: the SDK fails with "open /var/run/secrets/eks.amazonaws.com/serviceaccount/token: permission denied"`,
      );
      fix = {
        summary:
          'give the pod an fsGroup so the token file becomes group-readable (or run as the file owner)',
        command: `kubectl patch deployment -n ${r.namespace} NAME -p '{"spec":{"template":{"spec":{"securityContext":{"fsGroup":65534}}}}}'`,
      };
    }
  }
  if (!failures.length) evidence.push(`readable by ${irsa.map((c) => c.name).join(', ')}`);

  if (!r.token) {
    evidence.push(
      `the token itself was not exported (kubectl exec -n ${r.namespace} ${r.podName} -- cat /var/run/secrets/eks.amazonaws.com/serviceaccount/token > tokens/${r.namespace}/${r.podName}.jwt)`,
    );
    if (failures.length)
      return { ...base, status: 'fail', evidence: [...evidence, ...failures], ...(fix ? { fix } : {}) };
    return { ...base, status: 'skip', evidence };
  }
  const claims = r.claims;
  const nowS = Math.floor(ctx.now / 1000);
  const iso = (s: number) => new Date(s * 1000).toISOString();
  if (typeof claims.exp === 'number') {
    if (nowS >= claims.exp) {
      failures.push(
        `the token expired at ${iso(claims.exp)} (now ${iso(nowS)}): STS answers "ExpiredTokenException: Token expired: current date/time ${nowS} must be before the expiration date/time ${claims.exp}"`,
      );
      fix ??= {
        summary:
          'the kubelet refreshes the file at 80% of its lifetime: an expired file means the kubelet is not refreshing it, or the app read it once and kept it (use the SDK web-identity provider, which re-reads it); recreate the pod',
        command: `kubectl delete pod -n ${r.namespace} ${r.podName}`,
      };
    } else evidence.push(`expires at ${iso(claims.exp)} (in ${Math.round((claims.exp - nowS) / 60)} min)`);
  } else failures.push('the token has no exp claim');
  if (typeof claims.nbf === 'number' && nowS < claims.nbf)
    failures.push(`the token is not valid before ${iso(claims.nbf)} (clock skew?)`);
  const aud = audList(claims.aud);
  if (!aud.includes(r.audience)) {
    failures.push(
      `the token's aud ${JSON.stringify(aud)} does not contain "${r.audience}" (the ServiceAccount's audience)`,
    );
    fix ??= {
      summary: 'the projected volume requests another audience: recreate the pod so that the webhook sets it',
    };
  } else evidence.push(`aud ${JSON.stringify(aud)} contains "${r.audience}"`);
  const issuer = typeof claims.iss === 'string' ? claims.iss : undefined;
  if (r.cluster && issuer !== r.cluster.issuer)
    failures.push(`the token's iss ${issuer} is not the cluster issuer ${r.cluster.issuer}`);

  let signatureUnknown: string | undefined;
  if (issuer) {
    const v = await ctx.verifier(r.token.token, issuer);
    if (v.status === 'valid') evidence.push("the signature verifies against the issuer's JWKS");
    else if (v.status === 'invalid') {
      failures.push(`the signature does not verify: ${v.reason}: STS answers "InvalidIdentityToken"`);
      fix ??= {
        summary:
          'the signing key is not published by the issuer (rotated keys?): recreate the pod to get a fresh token',
      };
    } else signatureUnknown = v.reason;
  }
  if (failures.length)
    return { ...base, status: 'fail', evidence: [...evidence, ...failures], ...(fix ? { fix } : {}) };
  if (signatureUnknown)
    return { ...base, status: 'skip', evidence: [...evidence, `signature not checked: ${signatureUnknown}`] };
  return { ...base, status: 'pass', evidence };
};
