import type { Container, Pod, ServiceAccount } from './types.js';

const RANDOM_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** utilrand.String: the alphabet Kubernetes uses for generated name suffixes (no vowels, no 0/1/3). */
export function randomSuffix(n: number, random: (n: number) => Buffer): string {
  const bytes = random(n);
  let out = '';
  for (let i = 0; i < n; i++) out += RANDOM_ALPHABET[(bytes[i] ?? 0) % RANDOM_ALPHABET.length];
  return out;
}

function containerDefaults(c: Container): void {
  const image = c.image ?? '';
  const tag = image.includes('@') ? 'digest' : (image.split('/').pop() ?? '').split(':')[1];
  c.imagePullPolicy ??= tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
}

/** The scheme defaults kube-apiserver fills in when it decodes a Pod (SetDefaults_Pod / PodSpec / Container). */
export function applyPodDefaults(pod: Pod): Pod {
  const spec = pod.spec;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  spec.enableServiceLinks ??= true;
  spec.priority ??= 0;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) containerDefaults(c);
  for (const v of spec.volumes ?? []) {
    if (v.projected) {
      v.projected.defaultMode ??= 0o644;
      for (const src of v.projected.sources ?? []) {
        if (src.serviceAccountToken) src.serviceAccountToken.expirationSeconds ??= 3600;
      }
    }
  }
  return pod;
}

export const KUBE_API_ACCESS_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * The ServiceAccount admission plugin (it runs before the mutating webhooks): defaults serviceAccountName to
 * "default" and, unless the pod or its ServiceAccount opts out with automountServiceAccountToken: false, adds the
 * `kube-api-access-xxxxx` projected volume (token, ca.crt, namespace) mounted in every container.
 */
export function serviceAccountAdmission(pod: Pod, sa: ServiceAccount, random: (n: number) => Buffer): Pod {
  const spec = pod.spec;
  spec.serviceAccountName ||= 'default';
  spec.serviceAccount = spec.serviceAccountName;
  const automount = spec.automountServiceAccountToken ?? sa.automountServiceAccountToken ?? true;
  if (!automount) return pod;
  const containers = [...(spec.initContainers ?? []), ...spec.containers];
  // A container that already mounts something at the path keeps it (the plugin does the same).
  if (containers.every((c) => (c.volumeMounts ?? []).some((m) => m.mountPath === KUBE_API_ACCESS_MOUNT)))
    return pod;
  const name = `kube-api-access-${randomSuffix(5, random)}`;
  spec.volumes = [
    ...(spec.volumes ?? []),
    {
      name,
      projected: {
        defaultMode: 0o644,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          {
            downwardAPI: {
              items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }],
            },
          },
        ],
      },
    },
  ];
  for (const c of containers) {
    if ((c.volumeMounts ?? []).some((m) => m.mountPath === KUBE_API_ACCESS_MOUNT)) continue;
    c.volumeMounts = [...(c.volumeMounts ?? []), { name, readOnly: true, mountPath: KUBE_API_ACCESS_MOUNT }];
  }
  return pod;
}
