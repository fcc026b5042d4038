import { chmodSync, chownSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fieldRefValue } from './container-env.js';
import type { Container, Pod, ServiceAccountTokenProjection } from './types.js';

/**
 * FsUserFrom (pkg/volume/util): the one runAsUser every container (init included) runs as, or undefined when
 * one container sets none or two differ. The kubelet gives projected token files to that user.
 */
export function fsUserFrom(pod: Pod): number | undefined {
  let user: number | undefined;
  const all: Container[] = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
  for (const c of all) {
    const u = c.securityContext?.runAsUser ?? pod.spec.securityContext?.runAsUser;
    if (u === undefined || (user !== undefined && user !== u)) return undefined;
    user = u;
  }
  return user;
}

/**
 * Mode and owner of a projected file (pkg/volume/projected): defaultMode, but 0600 for a service-account token
 * when the pod has an fsUser or an fsGroup; owner fsUser (else root); with fsGroup, group fsGroup and the
 * read-only volume mask (g+r) added, as SetVolumeOwnership does.
 */
export function projectedFileMode(
  pod: Pod,
  defaultMode: number,
  isToken: boolean,
): { mode: number; uid: number; gid: number } {
  const fsUser = fsUserFrom(pod);
  const fsGroup = pod.spec.securityContext?.fsGroup;
  let mode = defaultMode;
  if (isToken && (fsUser !== undefined || fsGroup !== undefined)) mode = 0o600;
  if (fsGroup !== undefined) mode |= 0o440;
  return { mode, uid: isToken ? (fsUser ?? 0) : 0, gid: fsGroup ?? 0 };
}

const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;

/** Write-then-rename, as the kubelet's AtomicWriter swaps a projected volume's content in one step. */
export function writeAtomic(
  path: string,
  data: string,
  owner: { mode: number; uid: number; gid: number },
): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode: owner.mode });
  chmodSync(tmp, owner.mode);
  if (IS_ROOT) chownSync(tmp, owner.uid, owner.gid);
  renameSync(tmp, path);
}

/** A token file the kubelet keeps fresh. */
export interface TokenFile {
  readonly volume: string;
  readonly path: string;
  readonly projection: ServiceAccountTokenProjection;
  readonly owner: { mode: number; uid: number; gid: number };
  issuedAt: number;
  expiresAt: number;
}

export interface VolumeSetup {
  /** volume name → directory on this machine */
  readonly dirs: Map<string, string>;
  readonly tokens: TokenFile[];
}

export interface VolumeDeps {
  readonly clusterCaPem: string;
  readonly podIP: string;
  readonly hostIP: string;
}

/**
 * Creates the pod's volumes under `dir/volumes`: emptyDir (0777, as the kubelet makes them), projected volumes
 * (token paths recorded for minting; ca.crt and downward API files written), hostPath (used in place).
 * Returns an error message, as the kubelet's FailedMount, for what irsakit cannot provide.
 */
export function setupVolumes(pod: Pod, dir: string, deps: VolumeDeps): VolumeSetup | { error: string } {
  const dirs = new Map<string, string>();
  const tokens: TokenFile[] = [];
  const fsGroup = pod.spec.securityContext?.fsGroup;
  const groupDir = (d: string, mode: number) => {
    if (fsGroup !== undefined && IS_ROOT) {
      chownSync(d, 0, fsGroup);
      chmodSync(d, mode | 0o2000 | 0o050);
    }
  };
  for (const v of pod.spec.volumes ?? []) {
    const vdir = join(dir, 'volumes', v.name);
    if (v.emptyDir) {
      mkdirSync(vdir, { recursive: true });
      chmodSync(vdir, 0o777);
      groupDir(vdir, 0o777);
      dirs.set(v.name, vdir);
    } else if (v.hostPath) {
      dirs.set(v.name, String((v.hostPath as { path?: string }).path ?? '/'));
    } else if (v.projected) {
      mkdirSync(vdir, { recursive: true });
      chmodSync(vdir, 0o755);
      groupDir(vdir, 0o755);
      const defaultMode = v.projected.defaultMode ?? 0o644;
      for (const src of v.projected.sources ?? []) {
        if (src.serviceAccountToken) {
          tokens.push({
            volume: v.name,
            path: join(vdir, src.serviceAccountToken.path),
            projection: src.serviceAccountToken,
            owner: projectedFileMode(pod, defaultMode, true),
            issuedAt: 0,
            expiresAt: 0,
          });
        } else if (src.configMap) {
          if (src.configMap.name !== 'kube-root-ca.crt') {
            return {
              error: `MountVolume.SetUp failed for volume "${v.name}" : configmap "${src.configMap.name}" not found (irsakit serves kube-root-ca.crt only)`,
            };
          }
          const items = src.configMap.items ?? [{ key: 'ca.crt', path: 'ca.crt' }];
          for (const it of items)
            writeAtomic(
              join(vdir, it.path),
              deps.clusterCaPem,
              projectedFileMode(pod, it.mode ?? defaultMode, false),
            );
        } else if (src.downwardAPI) {
          for (const it of src.downwardAPI.items ?? []) {
            const value = it.fieldRef
              ? fieldRefValue(it.fieldRef.fieldPath, { pod, podIP: deps.podIP, hostIP: deps.hostIP })
              : undefined;
            if (value === undefined)
              return {
                error: `MountVolume.SetUp failed for volume "${v.name}" : unsupported downward API item ${it.path}`,
              };
            writeAtomic(join(vdir, it.path), value, projectedFileMode(pod, it.mode ?? defaultMode, false));
          }
        } else {
          const kind = Object.keys(src)[0] ?? 'source';
          return {
            error: `MountVolume.SetUp failed for volume "${v.name}" : irsakit cannot project ${kind} sources`,
          };
        }
      }
      dirs.set(v.name, vdir);
    } else {
      const kind = Object.keys(v).find((k) => k !== 'name') ?? 'unknown';
      return {
        error: `MountVolume.SetUp failed for volume "${v.name}" : irsakit runs emptyDir, projected and hostPath volumes only, not ${kind}`,
      };
    }
  }
  return { dirs, tokens };
}
