import type { Imds } from '../imds/index.js';
import { validateMetadataOptions } from '../imds/index.js';
import type { AdminRequest, AdminResponse, AdminRoute } from '../runtime/admin-route.js';
import type { ApiServer } from './api-server.js';
import type { Kubelet } from './kubelet.js';
import type { ClusterNode } from './node.js';
import { badRequest, isStatusError, notFound, StatusError } from './status.js';
import type { KubeObject, Pod } from './types.js';

export interface RouteDeps {
  readonly api: ApiServer;
  readonly kubelet: Kubelet;
  readonly node: ClusterNode;
  readonly imds?: Imds | undefined;
}

type Handler = (req: AdminRequest) => Promise<AdminResponse> | AdminResponse;

/** Kubernetes failures become `Status` bodies with the API server's code. */
function wrap(fn: Handler): (req: AdminRequest) => Promise<AdminResponse> {
  return async (req) => {
    try {
      return await fn(req);
    } catch (err) {
      if (isStatusError(err)) return { status: err.status.code, body: err.status };
      throw err;
    }
  };
}

function list(kind: string, apiVersion: string, items: KubeObject[]): AdminResponse {
  return { body: { apiVersion, kind: `${kind}List`, metadata: {}, items } };
}

function objectBody(req: AdminRequest): Record<string, unknown> {
  if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body))
    throw badRequest('the request body must be a JSON object');
  return req.body as Record<string, unknown>;
}

const CORE = '/k8s/api/v1';
const ADMISSION = '/k8s/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';

/** The cluster's part of the control API (under /_irsakit), in Kubernetes' REST shape. */
export function clusterRoutes(deps: RouteDeps): AdminRoute[] {
  const { api, kubelet, node } = deps;
  const r = (method: AdminRoute['method'], path: string, fn: Handler): AdminRoute => ({
    method,
    path,
    handle: wrap(fn),
  });
  const namespaced = (plural: string, kind: string): AdminRoute[] => [
    r('GET', `${CORE}/${plural}`, () => list(kind, 'v1', api.list(kind))),
    r('GET', `${CORE}/namespaces/{namespace}/${plural}`, (q) =>
      list(kind, 'v1', api.list(kind, q.params.namespace!)),
    ),
    r('POST', `${CORE}/namespaces/{namespace}/${plural}`, async (q) => {
      const res = await api.create(
        { ...objectBody(q), kind: objectBody(q).kind ?? kind, apiVersion: objectBody(q).apiVersion ?? 'v1' },
        q.params.namespace!,
      );
      return { status: 201, body: res.object };
    }),
    r('GET', `${CORE}/namespaces/{namespace}/${plural}/{name}`, (q) => ({
      body: api.get(kind, q.params.namespace!, q.params.name!),
    })),
    r('DELETE', `${CORE}/namespaces/{namespace}/${plural}/{name}`, async (q) => ({
      body: await api.delete(kind, q.params.namespace!, q.params.name!),
    })),
  ];
  const manifestOpts = (q: AdminRequest) => {
    const ns = q.query.get('namespace') ?? undefined;
    return {
      source: q.query.get('source') ?? 'STDIN',
      ...(ns ? { namespace: ns, explicitNamespace: true } : {}),
    };
  };
  return [
    r('POST', '/k8s/apply', async (q) => {
      const report = await api.applyManifest(q.text, manifestOpts(q));
      return { status: report.ok ? 200 : 207, body: report };
    }),
    r('POST', '/k8s/delete', async (q) => {
      const report = await api.deleteManifest(q.text, manifestOpts(q));
      return { status: report.ok ? 200 : 207, body: report };
    }),
    r('GET', `${CORE}/namespaces`, () => list('Namespace', 'v1', api.list('Namespace'))),
    r('POST', `${CORE}/namespaces`, async (q) => {
      const res = await api.create({ apiVersion: 'v1', kind: 'Namespace', ...objectBody(q) });
      return { status: 201, body: res.object };
    }),
    r('GET', `${CORE}/namespaces/{name}`, (q) => ({ body: api.get('Namespace', '', q.params.name!) })),
    r('DELETE', `${CORE}/namespaces/{name}`, async (q) => ({
      body: await api.delete('Namespace', '', q.params.name!),
    })),
    ...namespaced('pods', 'Pod'),
    ...namespaced('serviceaccounts', 'ServiceAccount'),
    r('GET', `${CORE}/namespaces/{namespace}/pods/{name}/log`, (q) => {
      const pod = api.get<Pod>('Pod', q.params.namespace!, q.params.name!);
      const text = kubelet.logs(
        pod,
        q.query.get('container') ?? undefined,
        q.query.get('previous') === 'true',
      );
      // ?wrap=json: the CLI's form, so a log line that happens to be JSON is never re-parsed.
      return q.query.get('wrap') === 'json' ? { body: { log: text } } : { text };
    }),
    r('POST', `${CORE}/namespaces/{namespace}/pods/{name}/exec`, async (q) => {
      const pod = api.get<Pod>('Pod', q.params.namespace!, q.params.name!);
      const body = (q.body ?? {}) as { command?: unknown; container?: unknown; stdin?: unknown };
      if (!Array.isArray(body.command) || !body.command.every((c) => typeof c === 'string')) {
        throw badRequest('you must specify at least one command for the container');
      }
      const res = await kubelet.exec(
        pod,
        typeof body.container === 'string' ? body.container : undefined,
        body.command,
        typeof body.stdin === 'string' ? body.stdin : '',
      );
      return { body: res };
    }),
    r('GET', `${CORE}/nodes`, () => list('Node', 'v1', [node.object()])),
    r('GET', `${CORE}/nodes/{name}`, (q) => {
      if (q.params.name !== node.record.name) throw notFound('Node', q.params.name!);
      return { body: node.object() };
    }),
    r('GET', '/node/metadata-options', () => ({
      body: {
        InstanceId: node.record.instanceId,
        InstanceMetadataOptions: {
          State: 'applied',
          ...node.metadataOptions(),
          HttpProtocolIpv6: 'disabled',
          InstanceMetadataTags: 'disabled',
        },
      },
    })),
    r('PUT', '/node/metadata-options', (q) => {
      const res = validateMetadataOptions(node.metadataOptions(), objectBody(q));
      if (!res.ok) throw new StatusError(400, 'InvalidParameterValue', res.problems.join(' '));
      node.setMetadataOptions(res.options);
      return {
        body: {
          InstanceId: node.record.instanceId,
          InstanceMetadataOptions: {
            State: 'applied',
            ...res.options,
            HttpProtocolIpv6: 'disabled',
            InstanceMetadataTags: 'disabled',
          },
        },
      };
    }),
    r('GET', '/node/imds-requests', () => ({ body: { requests: deps.imds?.recent() ?? [] } })),
    r('GET', ADMISSION, () =>
      list(
        'MutatingWebhookConfiguration',
        'admissionregistration.k8s.io/v1',
        api.list('MutatingWebhookConfiguration'),
      ),
    ),
    r('POST', ADMISSION, async (q) => {
      const res = await api.create({
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'MutatingWebhookConfiguration',
        ...objectBody(q),
      });
      return { status: 201, body: res.object };
    }),
    r('GET', `${ADMISSION}/{name}`, (q) => ({
      body: api.get('MutatingWebhookConfiguration', '', q.params.name!),
    })),
    r('DELETE', `${ADMISSION}/{name}`, async (q) => ({
      body: await api.delete('MutatingWebhookConfiguration', '', q.params.name!),
    })),
  ];
}
