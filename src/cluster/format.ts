import { stringify } from 'yaml';
import { IrsakitError, isIrsakitError } from '../errors/index.js';
import type { ContainerStatus, KubeObject, MutatingWebhookConfiguration, Pod, Status } from './types.js';

/** A kind as the CLI names it (kubectl's short names and plurals), and where its objects live in the API. */
export interface KindInfo {
  readonly kind: string;
  readonly resource: string;
  readonly namespaced: boolean;
  /** Collection path under /_irsakit for a namespace (ignored for cluster-scoped kinds). */
  collection(namespace: string | undefined): string;
}

const KIND_TABLE: { names: string[]; kind: string; resource: string; namespaced: boolean; base: string }[] = [
  { names: ['pod', 'pods', 'po'], kind: 'Pod', resource: 'pods', namespaced: true, base: '/k8s/api/v1' },
  {
    names: ['serviceaccount', 'serviceaccounts', 'sa'],
    kind: 'ServiceAccount',
    resource: 'serviceaccounts',
    namespaced: true,
    base: '/k8s/api/v1',
  },
  {
    names: ['namespace', 'namespaces', 'ns'],
    kind: 'Namespace',
    resource: 'namespaces',
    namespaced: false,
    base: '/k8s/api/v1',
  },
  { names: ['node', 'nodes', 'no'], kind: 'Node', resource: 'nodes', namespaced: false, base: '/k8s/api/v1' },
  {
    names: [
      'mutatingwebhookconfiguration',
      'mutatingwebhookconfigurations',
      'mutatingwebhookconfigurations.admissionregistration.k8s.io',
    ],
    kind: 'MutatingWebhookConfiguration',
    resource: 'mutatingwebhookconfigurations',
    namespaced: false,
    base: '/k8s/apis/admissionregistration.k8s.io/v1',
  },
];

/** Resolves `pod`, `pods`, `po`, `Pod` …; undefined for a kind irsakit does not serve. */
export function resolveKind(word: string): KindInfo | undefined {
  const w = word.toLowerCase();
  const row = KIND_TABLE.find((r) => r.names.includes(w) || r.kind.toLowerCase() === w);
  if (!row) return undefined;
  return {
    kind: row.kind,
    resource: row.resource,
    namespaced: row.namespaced,
    collection: (ns) =>
      row.namespaced && ns !== undefined
        ? `${row.base}/namespaces/${encodeURIComponent(ns)}/${row.resource}`
        : `${row.base}/${row.resource}`,
  };
}

export const KNOWN_KIND_NAMES = KIND_TABLE.map((r) => r.names[1]!);

/** kubectl's sentence for a failed request: `Error from server (NotFound): pods "x" not found`. */
export function serverError(
  status: Partial<Status> | undefined,
  fallback: string,
  action?: { verb: string; source: string },
): string {
  const reason = status?.reason || 'InternalError';
  const msg = status?.message ?? fallback;
  return action
    ? `Error from server (${reason}): error when ${action.verb} "${action.source}": ${msg}`
    : `Error from server (${reason}): ${msg}`;
}

/** kubectl's AGE column. */
export function age(created: string | undefined, now: number): string {
  if (!created) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(created)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

function containerReason(s: ContainerStatus): string | undefined {
  if (s.state.waiting?.reason) return s.state.waiting.reason;
  if (s.state.terminated)
    return (
      s.state.terminated.reason ||
      (s.state.terminated.signal
        ? `Signal:${s.state.terminated.signal}`
        : `ExitCode:${s.state.terminated.exitCode}`)
    );
  return undefined;
}

/** kubectl's STATUS column for a pod (printPod): init progress, then the last container's reason, else the phase. */
export function podStatusText(pod: Pod): string {
  const st = pod.status;
  if (!st) return 'Pending';
  let reason: string = st.reason ?? st.phase;
  const inits = st.initContainerStatuses ?? [];
  for (const [i, s] of inits.entries()) {
    if (s.state.terminated?.exitCode === 0) continue;
    if (s.state.terminated)
      return `Init:${s.state.terminated.reason || `ExitCode:${s.state.terminated.exitCode}`}`;
    if (
      s.state.waiting?.reason &&
      s.state.waiting.reason !== 'PodInitializing' &&
      s.state.waiting.reason !== 'ContainerCreating'
    )
      return `Init:${s.state.waiting.reason}`;
    return `Init:${i}/${pod.spec.initContainers?.length ?? inits.length}`;
  }
  let running = false;
  for (const s of [...(st.containerStatuses ?? [])].reverse()) {
    const r = containerReason(s);
    if (r && !(s.state.terminated && st.phase === 'Running' && running)) reason = r;
    if (s.state.running) running = true;
  }
  if (reason === 'Completed' && running) reason = 'Running';
  const scheduled = st.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') reason = 'Pending';
  return reason;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return `${rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3)))
        .join('')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

/** `get` as a table, kubectl's columns per kind. */
export function formatTable(
  kind: string,
  items: KubeObject[],
  opts: { now: number; allNamespaces?: boolean; wide?: boolean },
): string {
  const ns = (o: KubeObject) => (opts.allNamespaces ? [o.metadata.namespace ?? ''] : []);
  const nsHead = opts.allNamespaces ? ['NAMESPACE'] : [];
  const a = (o: KubeObject) => age(o.metadata.creationTimestamp, opts.now);
  switch (kind) {
    case 'Pod': {
      const head = [
        ...nsHead,
        'NAME',
        'READY',
        'STATUS',
        'RESTARTS',
        'AGE',
        ...(opts.wide ? ['IP', 'NODE'] : []),
      ];
      return table([
        head,
        ...(items as Pod[]).map((p) => {
          const cs = p.status?.containerStatuses ?? [];
          const restarts = cs.reduce((n, c) => n + c.restartCount, 0);
          return [
            ...ns(p),
            p.metadata.name,
            `${cs.filter((c) => c.ready).length}/${p.spec.containers.length}`,
            podStatusText(p),
            String(restarts),
            a(p),
            ...(opts.wide ? [p.status?.podIP ?? '<none>', p.spec.nodeName ?? '<none>'] : []),
          ];
        }),
      ]);
    }
    case 'ServiceAccount':
      return table([
        [...nsHead, 'NAME', 'SECRETS', 'AGE'],
        ...items.map((o) => [...ns(o), o.metadata.name, '0', a(o)]),
      ]);
    case 'Namespace':
      return table([
        ['NAME', 'STATUS', 'AGE'],
        ...items.map((o) => [
          o.metadata.name,
          String((o.status as { phase?: string } | undefined)?.phase ?? 'Active'),
          a(o),
        ]),
      ]);
    case 'Node':
      return table([
        ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
        ...items.map((o) => [o.metadata.name, 'Ready', '<none>', a(o), 'v1.31.0-irsakit']),
      ]);
    case 'MutatingWebhookConfiguration':
      return table([
        ['NAME', 'WEBHOOKS', 'AGE'],
        ...(items as MutatingWebhookConfiguration[]).map((o) => [
          o.metadata.name,
          String(o.webhooks?.length ?? 0),
          a(o),
        ]),
      ]);
    default:
      return table([['NAME', 'AGE'], ...items.map((o) => [o.metadata.name, a(o)])]);
  }
}

/** `-o yaml|json|name` of one object or a list. */
export function formatObjects(
  items: KubeObject[],
  single: boolean,
  output: 'yaml' | 'json' | 'name',
): string {
  if (output === 'name') return items.map((o) => `${o.kind.toLowerCase()}/${o.metadata.name}\n`).join('');
  const doc = single
    ? items[0]
    : { apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } };
  return output === 'json' ? `${JSON.stringify(doc, null, 4)}\n` : stringify(doc, { lineWidth: 0 });
}

function kv(lines: string[], key: string, value: string | undefined, indent = ''): void {
  lines.push(`${indent}${`${key}:`.padEnd(18)}${value ?? '<none>'}`);
}

function mapLines(lines: string[], key: string, map: Record<string, string> | undefined, indent = ''): void {
  const entries = Object.entries(map ?? {}).filter(
    ([k]) => k !== 'kubectl.kubernetes.io/last-applied-configuration',
  );
  if (entries.length === 0) {
    kv(lines, key, '<none>', indent);
    return;
  }
  entries.forEach(([k, v], i) => {
    lines.push(`${indent}${(i === 0 ? `${key}:` : '').padEnd(18)}${k}=${v}`);
  });
}

function stateText(lines: string[], label: string, s: ContainerStatus['state'], indent: string): void {
  if (s.running) {
    kv(lines, label, 'Running', indent);
    kv(lines, '  Started', s.running.startedAt, indent);
  } else if (s.terminated) {
    kv(lines, label, 'Terminated', indent);
    kv(lines, '  Reason', s.terminated.reason, indent);
    if (s.terminated.message) kv(lines, '  Message', s.terminated.message, indent);
    kv(lines, '  Exit Code', String(s.terminated.exitCode), indent);
    kv(lines, '  Started', s.terminated.startedAt, indent);
    kv(lines, '  Finished', s.terminated.finishedAt, indent);
  } else if (s.waiting) {
    kv(lines, label, 'Waiting', indent);
    kv(lines, '  Reason', s.waiting.reason, indent);
    if (s.waiting.message) kv(lines, '  Message', s.waiting.message, indent);
  }
}

/** `describe` text, kubectl's layout for pods; other kinds show their fields. */
export function describeObject(obj: KubeObject): string {
  const lines: string[] = [];
  kv(lines, 'Name', obj.metadata.name);
  if (obj.metadata.namespace) kv(lines, 'Namespace', obj.metadata.namespace);
  if (obj.kind === 'Pod') {
    const pod = obj as Pod;
    kv(lines, 'Service Account', pod.spec.serviceAccountName);
    kv(lines, 'Node', pod.spec.nodeName ? `${pod.spec.nodeName}/${pod.status?.hostIP ?? ''}` : '<none>');
    kv(lines, 'Start Time', pod.status?.startTime);
    mapLines(lines, 'Labels', pod.metadata.labels);
    mapLines(lines, 'Annotations', pod.metadata.annotations);
    kv(lines, 'Status', pod.status?.phase);
    kv(lines, 'IP', pod.status?.podIP);
    kv(lines, 'Host Network', String(pod.spec.hostNetwork ?? false));
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    for (const [title, list] of [
      ['Init Containers', pod.spec.initContainers ?? []],
      ['Containers', pod.spec.containers],
    ] as const) {
      if (list.length === 0) continue;
      lines.push(`${title}:`);
      for (const c of list) {
        lines.push(`  ${c.name}:`);
        kv(lines, 'Image', `${c.image ?? ''} (not pulled: irsakit runs the command)`, '    ');
        if (c.command?.length) {
          lines.push('    Command:');
          for (const a of c.command) lines.push(`      ${a}`);
        }
        if (c.args?.length) {
          lines.push('    Args:');
          for (const a of c.args) lines.push(`      ${a}`);
        }
        const s = statuses.find((x) => x.name === c.name);
        if (s) {
          stateText(lines, 'State', s.state, '    ');
          if (s.lastState.terminated) stateText(lines, 'Last State', s.lastState, '    ');
          kv(lines, 'Ready', String(s.ready), '    ');
          kv(lines, 'Restart Count', String(s.restartCount), '    ');
        }
        const sc = { ...(pod.spec.securityContext ?? {}), ...(c.securityContext ?? {}) } as {
          runAsUser?: number;
        };
        if (sc.runAsUser !== undefined) kv(lines, 'Run As User', String(sc.runAsUser), '    ');
        lines.push('    Environment:');
        if (!c.env?.length) lines.push('      <none>');
        for (const e of c.env ?? []) {
          const from = e.valueFrom?.fieldRef
            ? `(${e.valueFrom.fieldRef.apiVersion ?? 'v1'}:${e.valueFrom.fieldRef.fieldPath})`
            : '';
          lines.push(`      ${e.name}:  ${e.value ?? from}`);
        }
        lines.push('    Mounts:');
        if (!c.volumeMounts?.length) lines.push('      <none>');
        for (const m of c.volumeMounts ?? [])
          lines.push(`      ${m.mountPath} from ${m.name} (${m.readOnly ? 'ro' : 'rw'})`);
      }
    }
    lines.push('Conditions:');
    lines.push('  Type              Status');
    for (const c of pod.status?.conditions ?? []) lines.push(`  ${c.type.padEnd(18)}${c.status}`);
    lines.push('Volumes:');
    for (const v of pod.spec.volumes ?? []) {
      lines.push(`  ${v.name}:`);
      if (v.projected) {
        kv(lines, 'Type', 'Projected (a volume that contains injected data from multiple sources)', '    ');
        for (const src of v.projected.sources ?? []) {
          if (src.serviceAccountToken) {
            kv(
              lines,
              'TokenExpirationSeconds',
              String(src.serviceAccountToken.expirationSeconds ?? 3600),
              '    ',
            );
            if (src.serviceAccountToken.audience)
              kv(lines, 'Audience', src.serviceAccountToken.audience, '    ');
          }
          if (src.configMap) kv(lines, 'ConfigMapName', src.configMap.name, '    ');
          if (src.downwardAPI) kv(lines, 'DownwardAPI', 'true', '    ');
        }
      } else if (v.emptyDir) {
        kv(lines, 'Type', "EmptyDir (a temporary directory that shares a pod's lifetime)", '    ');
      } else {
        kv(lines, 'Type', Object.keys(v).find((k) => k !== 'name') ?? '<unknown>', '    ');
      }
    }
    if (pod.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False')) {
      const c = pod.status.conditions.find((x) => x.type === 'PodScheduled')!;
      lines.push(`Events:\n  Warning  FailedScheduling  ${c.message ?? ''}`);
    }
    return `${lines.join('\n')}\n`;
  }
  mapLines(lines, 'Labels', obj.metadata.labels);
  mapLines(lines, 'Annotations', obj.metadata.annotations);
  const rest = Object.fromEntries(
    Object.entries(obj).filter(([k]) => !['apiVersion', 'kind', 'metadata'].includes(k)),
  );
  if (Object.keys(rest).length) {
    lines.push(
      stringify(rest, { lineWidth: 0 })
        .trimEnd()
        .split('\n')
        .map((l) => l.replace(/^(\S[^:]*):/, (_m, k: string) => `${k[0]!.toUpperCase()}${k.slice(1)}:`))
        .join('\n'),
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Rewrites a failed control-API call (IrsakitError carrying a Kubernetes Status) into kubectl's wording, keeping
 * the code; other errors pass through unchanged.
 */
export function kubectlError(err: unknown, action?: { verb: string; source: string }): unknown {
  if (!isIrsakitError(err)) return err;
  const body = err.details?.body as Partial<Status> | undefined;
  if (body?.kind !== 'Status') return err;
  return new IrsakitError(
    err.code,
    serverError(body, err.message, action),
    err.details ? { ...err.details } : undefined,
  );
}
