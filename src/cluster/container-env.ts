import { posix } from 'node:path';
import type { Container, Pod, VolumeMount } from './types.js';

/** Where each of a container's mount paths lives on this machine. */
export interface MountMap {
  readonly mountPath: string;
  readonly localPath: string;
}

/**
 * The local path for each of the container's mounts: the volume's directory on this machine, plus subPath.
 * Longest mount paths first, so a nested mount wins over its parent.
 */
export function mountMap(c: Container, volumeDirs: ReadonlyMap<string, string>): MountMap[] {
  return (c.volumeMounts ?? [])
    .filter((m: VolumeMount) => volumeDirs.has(m.name))
    .map((m) => ({
      mountPath: posix.normalize(m.mountPath).replace(/(.)\/$/, '$1'),
      localPath: m.subPath ? posix.join(volumeDirs.get(m.name)!, m.subPath) : volumeDirs.get(m.name)!,
    }))
    .sort((a, b) => b.mountPath.length - a.mountPath.length);
}

/**
 * Path resolution (irsakit's stand-in for a container's mount namespace): every occurrence of a mount path,
 * as a whole path (not preceded by a path character, followed by `/`, the end or punctuation), is rewritten to
 * the volume's directory on this machine. Applied to env values, command, args and workingDir, so
 * `AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/secrets/eks.amazonaws.com/serviceaccount/token` reaches an unmodified SDK
 * as the pod-local file, and `sh -c 'cat /data/n'` reads the pod's emptyDir. Paths a program builds at run
 * time from pieces, or reads from its own files, are not rewritten.
 */
export function resolvePath(value: string, mounts: readonly MountMap[]): string {
  const usable = mounts.filter((m) => m.mountPath !== '/');
  if (usable.length === 0 || !value.includes('/')) return value;
  const byPath = new Map(usable.map((m) => [m.mountPath, m.localPath]));
  const alternation = usable.map((m) => m.mountPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const re = new RegExp(`(?<![\\w./-])(?:${alternation})(?![\\w.-])`, 'g');
  return value.replace(re, (m) => byPath.get(m) ?? m);
}

/** Kubernetes' `$(VAR)` expansion: `$$` escapes, unknown references stay as written. */
export function expand(value: string, vars: Readonly<Record<string, string>>): string {
  return value.replace(/\$\$|\$\(([-._a-zA-Z][-._a-zA-Z0-9]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    return name !== undefined && Object.hasOwn(vars, name) ? vars[name]! : m;
  });
}

export interface EnvContext {
  readonly pod: Pod;
  readonly podIP: string;
  readonly hostIP: string;
  /** Variables every container gets before its own (PATH, HOME, AWS_ENDPOINT_URL, …). */
  readonly base: Readonly<Record<string, string>>;
}

/** The downward API's fieldRef values the kubelet resolves for env. */
export function fieldRefValue(
  path: string,
  ctx: { pod: Pod; podIP: string; hostIP: string },
): string | undefined {
  const md = ctx.pod.metadata;
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (m[1] === 'labels' ? md.labels : md.annotations)?.[m[2]!] ?? '';
  switch (path) {
    case 'metadata.name':
      return md.name;
    case 'metadata.namespace':
      return md.namespace ?? 'default';
    case 'metadata.uid':
      return md.uid ?? '';
    case 'spec.nodeName':
      return ctx.pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return ctx.pod.spec.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return ctx.hostIP;
    case 'status.podIP':
    case 'status.podIPs':
      return ctx.podIP;
    default:
      return undefined;
  }
}

/**
 * A container's environment as the kubelet builds it (base, then the container's own entries in order, each
 * expanded against what precedes it), with mount paths resolved to this machine. Returns an error message,
 * as the kubelet's CreateContainerConfigError, for sources irsakit cannot provide.
 */
export function containerEnv(
  c: Container,
  ctx: EnvContext,
  mounts: readonly MountMap[],
): { env: Record<string, string> } | { error: string } {
  const env: Record<string, string> = { ...ctx.base };
  for (const e of c.env ?? []) {
    let value: string;
    if (e.valueFrom) {
      const path = e.valueFrom.fieldRef?.fieldPath;
      const v = path ? fieldRefValue(path, ctx) : undefined;
      if (v === undefined) {
        const kind = Object.keys(e.valueFrom)[0] ?? 'valueFrom';
        return { error: `couldn't find key for env ${e.name}: irsakit resolves fieldRef only (got ${kind})` };
      }
      value = v;
    } else {
      value = expand(e.value ?? '', env);
    }
    env[e.name] = resolvePath(value, mounts);
  }
  return { env };
}

/** command + args, expanded against the env and with mount paths resolved. */
export function containerCommand(
  c: Container,
  env: Readonly<Record<string, string>>,
  mounts: readonly MountMap[],
): string[] {
  return [...(c.command ?? []), ...(c.args ?? [])].map((a) => resolvePath(expand(a, env), mounts));
}
