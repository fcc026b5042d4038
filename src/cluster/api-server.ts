import { randomBytes, randomUUID } from 'node:crypto';
import { type AdmissionAttributes, admit, type WebhookTrace } from './admission.js';
import { decodeObject } from './decode-object.js';
import { applyPodDefaults, randomSuffix, serviceAccountAdmission } from './defaults.js';
import type { ObjectStore } from './object-store.js';
import { parseManifests } from './parse-manifests.js';
import { KINDS } from './schema.js';
import {
  badRequest,
  forbidden,
  forbiddenField,
  invalid,
  isStatusError,
  notFound,
  StatusError,
} from './status.js';
import type { KubeObject, MutatingWebhookConfiguration, Pod, ServiceAccount, Status } from './types.js';
import { validateObject } from './validate.js';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** What the API server tells the kubelet. */
export interface PodLifecycle {
  podCreated(pod: Pod): void;
  podDeleted(pod: Pod): Promise<void>;
}

export interface ApiServerDeps {
  readonly objects: ObjectStore;
  readonly kubelet: PodLifecycle;
  /** Node name and labels, for scheduling (nodeSelector) and spec.nodeName. */
  readonly node: () => { name: string; labels: Record<string, string> };
  readonly now?: () => number;
  readonly uuid?: () => string;
  readonly random?: (n: number) => Buffer;
  readonly log?: (line: string) => void;
}

export type ApplyAction = 'created' | 'configured' | 'unchanged' | 'deleted';

export interface ObjectResult {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly action?: ApplyAction;
  readonly object?: KubeObject;
  readonly warnings: string[];
  readonly admission?: WebhookTrace[];
  /** Set when this object failed; earlier objects stay applied, as with kubectl. */
  readonly error?: Status;
  /** 1-based document number in the manifest. */
  readonly document?: number;
}

export interface ManifestReport {
  readonly results: ObjectResult[];
  /** True when every object succeeded. */
  readonly ok: boolean;
}

const POD_SPEC_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/** kubectl apply's three-way merge for a string map: keys dropped from the manifest since last time go away. */
function mergeMap(
  live: Record<string, string> | undefined,
  last: Record<string, string> | undefined,
  next: Record<string, string> | undefined,
): Record<string, string> | undefined {
  const out = { ...(live ?? {}) };
  for (const k of Object.keys(last ?? {})) if (!next || !(k in next)) delete out[k];
  Object.assign(out, next ?? {});
  return Object.keys(out).length ? out : undefined;
}

/** Pod specs are immutable but for images and a few fields (ValidatePodUpdate); compared with the last apply. */
function checkPodSpecChange(live: KubeObject, next: KubeObject): void {
  const lastText = live.metadata.annotations?.[LAST_APPLIED];
  const last = lastText ? (JSON.parse(lastText) as Record<string, unknown>) : undefined;
  const lastSpec = (last?.spec ?? undefined) as Record<string, unknown> | undefined;
  const nextSpec = next.spec as Record<string, unknown>;
  const comparable = (s: Record<string, unknown> | undefined) => {
    if (!s) return s;
    const copy = structuredClone(s) as Record<string, unknown> & {
      containers?: { image?: string }[];
      initContainers?: { image?: string }[];
    };
    for (const c of [...(copy.containers ?? []), ...(copy.initContainers ?? [])]) delete c.image;
    delete copy.activeDeadlineSeconds;
    delete copy.tolerations;
    delete copy.terminationGracePeriodSeconds;
    return copy;
  };
  if (lastSpec && !deepEqual(comparable(lastSpec), comparable(nextSpec))) {
    const changed = Object.keys({ ...lastSpec, ...nextSpec })
      .filter((k) => !deepEqual(lastSpec[k], nextSpec[k]))
      .map((k) => `spec.${k}`);
    throw invalid('Pod', live.metadata.name, [
      {
        ...forbiddenField('spec', POD_SPEC_FORBIDDEN),
        message: `spec: Forbidden: ${POD_SPEC_FORBIDDEN} (changed: ${changed.join(', ')})`,
      },
    ]);
  }
}

/**
 * irsakit's API server: decoding and validation as kube-apiserver does them, the ServiceAccount admission
 * plugin, mutating admission webhooks over HTTPS, storage, and kubectl-apply semantics on top.
 */
export function createApiServer(deps: ApiServerDeps) {
  const { objects } = deps;
  const now = deps.now ?? Date.now;
  const uuid = deps.uuid ?? randomUUID;
  const random = deps.random ?? randomBytes;
  const log = deps.log ?? (() => {});

  function namespaceLabels(ns: string): Record<string, string> {
    return (objects.get('Namespace', '', ns)?.metadata.labels ?? {}) as Record<string, string>;
  }

  function requireNamespace(ns: string): void {
    if (!objects.get('Namespace', '', ns)) throw notFound('Namespace', ns);
  }

  async function runAdmission(
    operation: 'CREATE' | 'UPDATE',
    object: KubeObject,
    oldObject?: KubeObject,
  ): Promise<{ object: KubeObject; warnings: string[]; trace: WebhookTrace[] }> {
    const info = KINDS[object.kind]!;
    const [group, version] = info.apiVersion.includes('/')
      ? info.apiVersion.split('/')
      : ['', info.apiVersion];
    const ns = object.metadata.namespace ?? '';
    const attrs: AdmissionAttributes = {
      operation,
      group: group!,
      version: version!,
      resource: `${object.kind.toLowerCase()}s`,
      namespaced: info.namespaced,
      object,
      oldObject,
      namespaceLabels: info.namespaced
        ? namespaceLabels(ns)
        : ((object.metadata.labels ?? {}) as Record<string, string>),
    };
    const configs = objects.list<MutatingWebhookConfiguration>('MutatingWebhookConfiguration');
    return admit(attrs, configs, { uuid, log });
  }

  function initialPodStatus(pod: Pod): void {
    const node = deps.node();
    const sel = pod.spec.nodeSelector ?? {};
    const fits =
      Object.entries(sel).every(([k, v]) => node.labels[k] === v) &&
      (!pod.spec.nodeName || pod.spec.nodeName === node.name);
    const t = iso(now());
    if (fits) {
      pod.spec.nodeName = node.name;
      pod.status = {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: t }],
      };
    } else {
      pod.status = {
        phase: 'Pending',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            lastTransitionTime: t,
            reason: 'Unschedulable',
            message: pod.spec.nodeName
              ? `0/1 nodes are available: node "${pod.spec.nodeName}" does not exist.`
              : "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.",
          },
        ],
      };
    }
  }

  /** Creates one decoded, validated object. */
  async function createObject(obj: KubeObject): Promise<ObjectResult> {
    const info = KINDS[obj.kind]!;
    const ns = info.namespaced ? obj.metadata.namespace! : '';
    if (info.namespaced) requireNamespace(ns);
    if (!obj.metadata.name && obj.metadata.generateName) {
      obj.metadata.name = `${obj.metadata.generateName}${randomSuffix(5, random)}`;
    }
    if (objects.get(obj.kind, ns, obj.metadata.name)) {
      throw new StatusError(
        409,
        'AlreadyExists',
        `${obj.kind === 'Pod' ? 'pods' : `${obj.kind.toLowerCase()}s`} "${obj.metadata.name}" already exists`,
      );
    }
    let object = obj;
    if (object.kind === 'Namespace') {
      object.metadata.labels = {
        ...(object.metadata.labels ?? {}),
        'kubernetes.io/metadata.name': object.metadata.name,
      };
      object.spec = { finalizers: ['kubernetes'] };
      object.status = { phase: 'Active' };
    }
    if (object.kind === 'Pod') {
      const pod = applyPodDefaults(object as Pod);
      const saName = pod.spec.serviceAccountName || pod.spec.serviceAccount || 'default';
      const sa = objects.get<ServiceAccount>('ServiceAccount', ns, saName);
      if (!sa) {
        throw forbidden(
          'Pod',
          pod.metadata.name,
          `error looking up service account ${ns}/${saName}: serviceaccount "${saName}" not found`,
        );
      }
      pod.spec.serviceAccountName = saName;
      object = serviceAccountAdmission(pod, sa, random);
    }
    // uid and creationTimestamp are filled after admission (BeforeCreate): webhooks see neither, as in a cluster.
    const admitted = await runAdmission('CREATE', object);
    object = admitted.object;
    object.metadata.uid = uuid();
    object.metadata.creationTimestamp = iso(now());
    // Validation runs again on the mutated object, as kube-apiserver validates after mutating admission.
    const errs = validateObject(object);
    if (errs.length) throw invalid(object.kind, object.metadata.name, errs);
    if (object.kind === 'Pod') initialPodStatus(object as Pod);
    const stored = objects.tx(() => {
      if (objects.get(object.kind, ns, object.metadata.name)) return undefined;
      const s = objects.put(object);
      if (object.kind === 'Namespace' && !objects.get('ServiceAccount', object.metadata.name, 'default')) {
        // The ServiceAccount controller gives every namespace its "default" account.
        objects.put({
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: {
            name: 'default',
            namespace: object.metadata.name,
            uid: uuid(),
            creationTimestamp: iso(now()),
          },
        });
      }
      return s;
    });
    if (!stored)
      throw new StatusError(
        409,
        'AlreadyExists',
        `${object.kind.toLowerCase()}s "${object.metadata.name}" already exists`,
      );
    if (stored.kind === 'Pod' && (stored as Pod).spec.nodeName === deps.node().name)
      deps.kubelet.podCreated(stored as Pod);
    return {
      kind: stored.kind,
      name: stored.metadata.name,
      ...(info.namespaced ? { namespace: ns } : {}),
      action: 'created',
      object: stored,
      warnings: admitted.warnings,
      admission: admitted.trace,
    };
  }

  /** kubectl apply on an existing object. */
  async function updateObject(
    live: KubeObject,
    next: KubeObject,
    manifest: Record<string, unknown>,
  ): Promise<ObjectResult> {
    const info = KINDS[live.kind]!;
    const ns = live.metadata.namespace ?? '';
    const lastText = live.metadata.annotations?.[LAST_APPLIED];
    const last = lastText ? (JSON.parse(lastText) as Record<string, unknown>) : undefined;
    const base = { kind: live.kind, name: live.metadata.name, ...(info.namespaced ? { namespace: ns } : {}) };
    if (last && deepEqual(last, manifest))
      return { ...base, action: 'unchanged', object: live, warnings: [] };
    const lastMeta = (last?.metadata ?? {}) as {
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
    };
    const updated: KubeObject = structuredClone(live);
    for (const [k, v] of Object.entries(next)) {
      if (k === 'metadata' || k === 'status' || k === 'apiVersion' || k === 'kind') continue;
      if (live.kind === 'Pod' && k === 'spec') continue;
      updated[k] = v;
    }
    // Top-level fields the manifest no longer sets (and did set last time) are removed.
    for (const k of Object.keys(last ?? {})) {
      if (['metadata', 'status', 'apiVersion', 'kind', 'spec'].includes(k)) continue;
      if (!(k in next)) delete updated[k];
    }
    const labels = mergeMap(live.metadata.labels, lastMeta.labels, next.metadata.labels);
    const annotations =
      mergeMap(live.metadata.annotations, lastMeta.annotations, next.metadata.annotations) ?? {};
    if (labels) updated.metadata.labels = labels;
    else delete updated.metadata.labels;
    updated.metadata.annotations = { ...annotations, [LAST_APPLIED]: JSON.stringify(manifest) };
    if (live.kind === 'Namespace') {
      updated.metadata.labels = {
        ...(updated.metadata.labels ?? {}),
        'kubernetes.io/metadata.name': live.metadata.name,
      };
    }
    if (live.kind === 'Pod') {
      checkPodSpecChange(live, next);
      // Images may change (the kubelet would pull and restart; irsakit runs commands, so nothing restarts).
      const pod = updated as Pod;
      const nextPod = next as Pod;
      for (const list of ['containers', 'initContainers'] as const) {
        for (const c of pod.spec[list] ?? []) {
          const n = nextPod.spec[list]?.find((x) => x.name === c.name);
          if (n?.image) c.image = n.image;
        }
      }
    }
    const admitted = await runAdmission('UPDATE', updated, live);
    const errs = validateObject(admitted.object);
    if (errs.length) throw invalid(live.kind, live.metadata.name, errs);
    const stored = objects.putIfUid(admitted.object, live.metadata.uid ?? '');
    if (!stored)
      throw new StatusError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${live.kind.toLowerCase()}s "${live.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    return {
      ...base,
      action: 'configured',
      object: stored,
      warnings: admitted.warnings,
      admission: admitted.trace,
    };
  }

  function prepare(
    raw: Record<string, unknown>,
    namespace: string | undefined,
    explicit: boolean,
  ): { object: KubeObject; manifest: Record<string, unknown> } {
    const decoded = decodeObject(raw);
    if (!decoded.ok) throw decoded.error;
    const object = decoded.object;
    const info = KINDS[object.kind]!;
    if (info.namespaced) {
      const docNs = object.metadata.namespace;
      if (docNs && explicit && namespace && docNs !== namespace) {
        throw badRequest(
          `the namespace from the provided object "${docNs}" does not match the namespace "${namespace}". You must pass '--namespace=${docNs}' to perform this operation.`,
        );
      }
      object.metadata.namespace = docNs || namespace || 'default';
    } else {
      delete object.metadata.namespace;
    }
    // Server-managed fields in a manifest are ignored, as the API server ignores them on create.
    for (const f of [
      'uid',
      'resourceVersion',
      'creationTimestamp',
      'managedFields',
      'selfLink',
      'generation',
    ])
      delete object.metadata[f];
    delete object.status;
    return { object, manifest: raw };
  }

  async function applyOne(
    raw: Record<string, unknown>,
    namespace: string | undefined,
    explicit: boolean,
  ): Promise<ObjectResult> {
    const { object, manifest } = prepare(raw, namespace, explicit);
    if (!object.metadata.name)
      throw badRequest('error when retrieving current configuration: cannot use generate name with apply');
    const info = KINDS[object.kind]!;
    const ns = info.namespaced ? object.metadata.namespace! : '';
    if (info.namespaced) requireNamespace(ns);
    const live = object.metadata.name ? objects.get(object.kind, ns, object.metadata.name) : undefined;
    if (live) return updateObject(live, object, manifest);
    object.metadata.annotations = {
      ...(object.metadata.annotations ?? {}),
      [LAST_APPLIED]: JSON.stringify(manifest),
    };
    return createObject(object);
  }

  /**
   * Checks a whole manifest before anything is written: decoding, validation, namespaces, ServiceAccounts, pod
   * spec immutability. Objects created earlier in the same manifest count as existing.
   */
  function precheck(
    docs: { index: number; object: Record<string, unknown> }[],
    source: string,
    namespace: string | undefined,
    explicit: boolean,
  ): string[] {
    const problems: string[] = [];
    const namespaces = new Set(objects.list('Namespace').map((n) => n.metadata.name));
    const accounts = new Set(
      objects.list('ServiceAccount').map((s) => `${s.metadata.namespace}/${s.metadata.name}`),
    );
    for (const d of docs) {
      const nm = (d.object.metadata as { name?: string } | undefined)?.name ?? '';
      const where = `${source}: document ${d.index} (${String(d.object.kind)} "${nm}")`;
      try {
        const { object } = prepare(d.object, namespace, explicit);
        if (!object.metadata.name) throw badRequest('cannot use generate name with apply');
        const ns = object.metadata.namespace ?? '';
        if (object.kind === 'Namespace') {
          namespaces.add(object.metadata.name);
          accounts.add(`${object.metadata.name}/default`);
          continue;
        }
        if (KINDS[object.kind]!.namespaced && !namespaces.has(ns)) throw notFound('Namespace', ns);
        if (object.kind === 'ServiceAccount') accounts.add(`${ns}/${object.metadata.name}`);
        if (object.kind === 'Pod') {
          const pod = object as Pod;
          const sa = pod.spec.serviceAccountName || pod.spec.serviceAccount || 'default';
          const live = objects.get<Pod>('Pod', ns, pod.metadata.name);
          if (live) checkPodSpecChange(live, pod);
          if (!live && !accounts.has(`${ns}/${sa}`)) {
            throw forbidden(
              'Pod',
              pod.metadata.name,
              `error looking up service account ${ns}/${sa}: serviceaccount "${sa}" not found`,
            );
          }
        }
      } catch (err) {
        if (!isStatusError(err)) throw err;
        problems.push(`${where}: ${err.message}`);
      }
    }
    return problems;
  }

  return {
    /** `kubectl apply -f`: the whole manifest is checked first; nothing is written when any document is bad. */
    async applyManifest(
      text: string,
      opts: { source?: string; namespace?: string; explicitNamespace?: boolean } = {},
    ): Promise<ManifestReport> {
      const source = opts.source ?? 'STDIN';
      const parsed = parseManifests(text, source);
      if (!parsed.ok) throw badRequest(`error parsing ${source}:\n${parsed.problems.join('\n')}`);
      if (parsed.documents.length === 0)
        throw badRequest(`no objects passed to apply (${source} holds no documents)`);
      const problems = precheck(parsed.documents, source, opts.namespace, opts.explicitNamespace ?? false);
      if (problems.length)
        throw new StatusError(
          422,
          'Invalid',
          `nothing was applied; ${source} has ${problems.length} invalid object(s):\n${problems.join('\n')}`,
        );
      const results: ObjectResult[] = [];
      for (const d of parsed.documents) {
        try {
          results.push({
            ...(await applyOne(d.object, opts.namespace, opts.explicitNamespace ?? false)),
            document: d.index,
          });
        } catch (err) {
          if (!isStatusError(err)) throw err;
          const md = (d.object.metadata ?? {}) as { name?: string; namespace?: string };
          results.push({
            kind: String(d.object.kind),
            name: md.name ?? '',
            warnings: [],
            error: err.status,
            document: d.index,
          });
        }
      }
      return { results, ok: results.every((r) => !r.error) };
    },

    /** `kubectl delete -f`: every object named in the manifest (missing ones are reported as NotFound). */
    async deleteManifest(
      text: string,
      opts: { source?: string; namespace?: string } = {},
    ): Promise<ManifestReport> {
      const source = opts.source ?? 'STDIN';
      const parsed = parseManifests(text, source);
      if (!parsed.ok) throw badRequest(`error parsing ${source}:\n${parsed.problems.join('\n')}`);
      const results: ObjectResult[] = [];
      // Reverse order, so pods go before the ServiceAccounts and namespaces they live in.
      for (const d of [...parsed.documents].reverse()) {
        const kind = String(d.object.kind);
        const md = (d.object.metadata ?? {}) as { name?: string; namespace?: string };
        const info = KINDS[kind];
        try {
          if (!info)
            throw badRequest(`no matches for kind "${kind}" in version "${String(d.object.apiVersion)}"`);
          const ns = info.namespaced ? md.namespace || opts.namespace || 'default' : '';
          const gone = await this.delete(kind, ns, md.name ?? '');
          results.push({
            kind,
            name: gone.metadata.name,
            ...(info.namespaced ? { namespace: ns } : {}),
            action: 'deleted',
            warnings: [],
            document: d.index,
          });
        } catch (err) {
          if (!isStatusError(err)) throw err;
          results.push({ kind, name: md.name ?? '', warnings: [], error: err.status, document: d.index });
        }
      }
      return { results: results.reverse(), ok: results.every((r) => !r.error) };
    },

    /** POST of one object (the API's create): AlreadyExists when it exists. */
    async create(raw: Record<string, unknown>, namespace?: string): Promise<ObjectResult> {
      const { object } = prepare(raw, namespace, namespace !== undefined);
      return createObject(object);
    },

    get<T extends KubeObject = KubeObject>(kind: string, namespace: string, name: string): T {
      const info = KINDS[kind];
      if (!info) throw badRequest(`no matches for kind "${kind}"`);
      const obj = objects.get<T>(kind, info.namespaced ? namespace : '', name);
      if (!obj) throw notFound(kind, name);
      return obj;
    },

    list<T extends KubeObject = KubeObject>(kind: string, namespace?: string): T[] {
      const info = KINDS[kind];
      if (!info) throw badRequest(`no matches for kind "${kind}"`);
      return objects.list<T>(kind, info.namespaced ? namespace : undefined);
    },

    async delete(kind: string, namespace: string, name: string): Promise<KubeObject> {
      const info = KINDS[kind];
      if (!info) throw badRequest(`no matches for kind "${kind}"`);
      const ns = info.namespaced ? namespace : '';
      const obj = objects.get(kind, ns, name);
      if (!obj) throw notFound(kind, name);
      if (kind === 'Namespace') {
        if (['default', 'kube-system', 'kube-public', 'kube-node-lease'].includes(name)) {
          throw forbidden('Namespace', name, `this namespace may not be deleted`);
        }
        for (const pod of objects.list<Pod>('Pod', name)) await this.delete('Pod', name, pod.metadata.name);
        objects.tx(() => {
          for (const sa of objects.list('ServiceAccount', name))
            objects.delete('ServiceAccount', name, sa.metadata.name);
          objects.delete('Namespace', '', name);
        });
        return obj;
      }
      if (kind === 'Pod') await deps.kubelet.podDeleted(obj as Pod);
      objects.delete(kind, ns, name);
      return obj;
    },
  };
}

export type ApiServer = ReturnType<typeof createApiServer>;
