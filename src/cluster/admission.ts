import { randomUUID } from 'node:crypto';
import { callWebhook } from './call-webhook.js';
import { applyJsonPatch, type PatchOp } from './json-patch.js';
import { matchesSelector } from './label-selector.js';
import { internalError, StatusError } from './status.js';
import type {
  KubeObject,
  MutatingWebhook,
  MutatingWebhookConfiguration,
  RuleWithOperations,
} from './types.js';

export interface AdmissionAttributes {
  readonly operation: 'CREATE' | 'UPDATE' | 'DELETE';
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly namespaced: boolean;
  readonly object: KubeObject;
  readonly oldObject?: KubeObject | undefined;
  /** Labels of the object's namespace (of the object itself for a Namespace). */
  readonly namespaceLabels: Readonly<Record<string, string>>;
  readonly dryRun?: boolean;
}

/** What happened at one webhook, as data (the journey page and `describe` show it). */
export interface WebhookTrace {
  readonly configuration: string;
  readonly webhook: string;
  readonly outcome: 'skipped' | 'allowed' | 'patched' | 'denied' | 'failed-open' | 'failed-closed';
  readonly detail: string;
  readonly patch?: PatchOp[];
}

export interface AdmissionResult {
  readonly object: KubeObject;
  readonly warnings: string[];
  readonly trace: WebhookTrace[];
}

function ruleMatches(rules: readonly RuleWithOperations[] | undefined, a: AdmissionAttributes): boolean {
  const has = (list: readonly string[] | undefined, v: string) =>
    (list ?? []).some((x) => x === '*' || x === v);
  return (rules ?? []).some((r) => {
    const scope = r.scope ?? '*';
    const scopeOk = scope === '*' || (scope === 'Namespaced') === a.namespaced;
    const resOk = (r.resources ?? []).some((x) => x === '*' || x === '*/*' || x === a.resource);
    return (
      has(r.operations, a.operation) &&
      has(r.apiGroups, a.group) &&
      has(r.apiVersions, a.version) &&
      resOk &&
      scopeOk
    );
  });
}

function describeMismatch(w: MutatingWebhook, a: AdmissionAttributes): string | undefined {
  if (!ruleMatches(w.rules, a)) return `no rule matches ${a.operation} ${a.resource}`;
  if (!matchesSelector(w.namespaceSelector, a.namespaceLabels)) return 'namespaceSelector does not match';
  const labels = (a.object.metadata?.labels ?? a.oldObject?.metadata?.labels ?? {}) as Record<string, string>;
  if (!matchesSelector(w.objectSelector, labels)) return 'objectSelector does not match';
  return undefined;
}

/**
 * The MutatingAdmissionWebhook plugin: every matching webhook, configurations in name order, gets a real
 * AdmissionReview v1 over HTTPS; its JSON patch is applied before the next webhook sees the object. A failed
 * call is ignored under failurePolicy Ignore and refuses the request under Fail (the default in v1), with the
 * API server's message. Reinvocation (reinvocationPolicy IfNeeded) is not implemented.
 */
export async function admit(
  attrs: AdmissionAttributes,
  configurations: readonly MutatingWebhookConfiguration[],
  opts: { uuid?: () => string; log?: (line: string) => void } = {},
): Promise<AdmissionResult> {
  const uuid = opts.uuid ?? randomUUID;
  let object = attrs.object;
  const warnings: string[] = [];
  const trace: WebhookTrace[] = [];
  const sorted = [...configurations].sort((x, y) => x.metadata.name.localeCompare(y.metadata.name));
  for (const cfg of sorted) {
    for (const w of cfg.webhooks ?? []) {
      const base = { configuration: cfg.metadata.name, webhook: w.name };
      const mismatch = describeMismatch(w, { ...attrs, object });
      if (mismatch) {
        trace.push({ ...base, outcome: 'skipped', detail: mismatch });
        continue;
      }
      const failurePolicy = w.failurePolicy ?? 'Fail';
      const fail = (message: string): void => {
        if (failurePolicy === 'Ignore') {
          opts.log?.(`admission: failed calling webhook "${w.name}", failing open: ${message}`);
          trace.push({ ...base, outcome: 'failed-open', detail: message });
          return;
        }
        trace.push({ ...base, outcome: 'failed-closed', detail: message });
        throw internalError(`failed calling webhook "${w.name}": ${message}`);
      };
      const uid = uuid();
      const resource = { group: attrs.group, version: attrs.version, resource: attrs.resource };
      const kind = { group: attrs.group, version: attrs.version, kind: attrs.object.kind };
      const review = {
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: {
          uid,
          kind,
          resource,
          requestKind: kind,
          requestResource: resource,
          name: object.metadata?.name ?? '',
          ...(attrs.namespaced ? { namespace: object.metadata?.namespace ?? '' } : {}),
          operation: attrs.operation,
          userInfo: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
          object: attrs.operation === 'DELETE' ? null : object,
          oldObject: attrs.oldObject ?? null,
          dryRun: attrs.dryRun ?? false,
          options: {
            apiVersion: 'meta.k8s.io/v1',
            kind:
              attrs.operation === 'CREATE'
                ? 'CreateOptions'
                : attrs.operation === 'UPDATE'
                  ? 'UpdateOptions'
                  : 'DeleteOptions',
          },
        },
      };
      if (!w.clientConfig?.url) {
        const svc = w.clientConfig?.service;
        fail(
          `failed to call webhook: service "${svc?.namespace ?? ''}/${svc?.name ?? ''}" cannot be reached: irsakit calls webhooks by URL only`,
        );
        continue;
      }
      const res = await callWebhook(
        w.clientConfig.url,
        w.clientConfig.caBundle,
        w.timeoutSeconds ?? 10,
        review,
      );
      if (!res.ok) {
        fail(res.message);
        continue;
      }
      const body = res.body as {
        apiVersion?: string;
        kind?: string;
        response?: {
          uid?: string;
          allowed?: boolean;
          patch?: string;
          patchType?: string;
          warnings?: string[];
          status?: { code?: number; message?: string; reason?: string };
        };
      };
      if (body?.apiVersion !== 'admission.k8s.io/v1' || body.kind !== 'AdmissionReview') {
        fail(
          `received invalid webhook response: expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${body?.apiVersion ?? ''}, Kind=${body?.kind ?? ''}`,
        );
        continue;
      }
      const r = body.response;
      if (!r) {
        fail('received invalid webhook response: webhook response was absent');
        continue;
      }
      if (r.uid !== uid) {
        fail(`received invalid webhook response: expected response.uid="${uid}", got "${r.uid ?? ''}"`);
        continue;
      }
      for (const warn of r.warnings ?? []) warnings.push(warn);
      if (!r.allowed) {
        const code = r.status?.code && r.status.code >= 400 ? r.status.code : 400;
        const msg = r.status?.message
          ? `admission webhook "${w.name}" denied the request: ${r.status.message}`
          : `admission webhook "${w.name}" denied the request without explanation`;
        trace.push({ ...base, outcome: 'denied', detail: msg });
        throw new StatusError(code, r.status?.reason || 'BadRequest', msg);
      }
      if (r.patch) {
        if (r.patchType !== 'JSONPatch') {
          fail(
            `received invalid webhook response: webhook returned response.patchType of "${r.patchType ?? ''}", "JSONPatch" is the only supported patchType`,
          );
          continue;
        }
        let ops: PatchOp[];
        try {
          ops = JSON.parse(Buffer.from(r.patch, 'base64').toString('utf8')) as PatchOp[];
          object = applyJsonPatch(object, ops);
        } catch (err) {
          fail(`JSON Patch failed: ${(err as Error).message}`);
          continue;
        }
        trace.push({ ...base, outcome: 'patched', detail: `${ops.length} operation(s)`, patch: ops });
      } else {
        trace.push({ ...base, outcome: 'allowed', detail: 'no patch' });
      }
    }
  }
  return { object, warnings, trace };
}
