import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  createMemoryServiceAccountSource,
  createWebhookServer,
  handleAdmissionReview,
  type JsonPatchOp,
  type Pod,
  resolveWebhookConfig,
  type ServiceAccountSource,
  type WebhookLogEntry,
  type WebhookServer,
} from '../../src/webhook/index.js';
import { patchPod } from './helpers/pods.js';
import { loopbackTls, send } from './helpers/tls.js';

const ROLE = 'arn:aws:iam::111122223333:role/app';
const source = createMemoryServiceAccountSource([
  { metadata: { name: 'app', namespace: 'apps', annotations: { 'eks.amazonaws.com/role-arn': ROLE } } },
  { metadata: { name: 'plain', namespace: 'apps' } },
]);
const pod = (sa: string, extra: Partial<Pod> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { generateName: 'web-' },
  spec: { serviceAccountName: sa, containers: [{ name: 'web', image: 'nginx' }] },
  ...extra,
});
const review = (apiVersion: string, object: unknown, request: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion,
    kind: 'AdmissionReview',
    request: {
      uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'apps',
      operation: 'CREATE',
      object,
      ...request,
    },
  });
const JSON_HEADERS = { 'content-type': 'application/json' };

describe('webhook server over real HTTPS', () => {
  let server: WebhookServer;
  let ca: string;
  const logs: WebhookLogEntry[] = [];

  before(async () => {
    const tls = await loopbackTls();
    ca = tls.caPem;
    server = await createWebhookServer({
      source,
      config: { region: 'eu-west-1' },
      tls,
      host: '127.0.0.1',
      port: 0,
      log: (e) => logs.push(e),
      maxBodyBytes: 64 * 1024,
    });
  });
  after(() => server.close());

  for (const apiVersion of ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1']) {
    test(`${apiVersion}: echoes apiVersion, kind and uid; base64 JSONPatch that yields the mutated pod`, async () => {
      const input = pod('app');
      const res = await send(server.url, ca, { headers: JSON_HEADERS, body: review(apiVersion, input) });
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      const out = JSON.parse(res.body);
      assert.equal(out.apiVersion, apiVersion);
      assert.equal(out.kind, 'AdmissionReview');
      assert.equal(out.response.uid, '705ab4f5-6393-11e8-b7cc-42010a800002');
      assert.equal(out.response.allowed, true);
      assert.equal(out.response.patchType, 'JSONPatch');
      const patch = JSON.parse(Buffer.from(out.response.patch, 'base64').toString()) as JsonPatchOp[];
      const patched = patchPod(input, patch);
      assert.deepEqual(patched.spec?.containers?.[0]?.env, [
        { name: 'AWS_DEFAULT_REGION', value: 'eu-west-1' },
        { name: 'AWS_REGION', value: 'eu-west-1' },
        { name: 'AWS_ROLE_ARN', value: ROLE },
        {
          name: 'AWS_WEB_IDENTITY_TOKEN_FILE',
          value: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
        },
      ]);
      assert.equal(patched.spec?.volumes?.[0]?.name, 'aws-iam-token');
    });
  }

  test('nothing to do: allowed, with neither patch nor patchType', async () => {
    for (const sa of ['plain', 'missing']) {
      const res = await send(server.url, ca, {
        headers: JSON_HEADERS,
        body: review('admission.k8s.io/v1', pod(sa)),
      });
      assert.equal(res.status, 200);
      const out = JSON.parse(res.body);
      assert.deepEqual(out.response, { uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true });
    }
  });

  test('UPDATE and non-pod kinds are allowed untouched', async () => {
    for (const extra of [
      { operation: 'UPDATE' },
      { kind: { group: 'apps', version: 'v1', kind: 'Deployment' } },
    ]) {
      const res = await send(server.url, ca, {
        headers: JSON_HEADERS,
        body: review('admission.k8s.io/v1', pod('app'), extra),
      });
      assert.equal(res.status, 200);
      assert.equal(JSON.parse(res.body).response.patch, undefined);
    }
  });

  test('warnings reach the AdmissionResponse', async () => {
    const input = pod('app', {});
    input.spec!.volumes = [{ name: 'aws-iam-token', emptyDir: {} }];
    const res = await send(server.url, ca, {
      headers: JSON_HEADERS,
      body: review('admission.k8s.io/v1', input),
    });
    const out = JSON.parse(res.body);
    assert.equal(out.response.warnings.length, 1);
    assert.match(out.response.warnings[0], /not a projected serviceAccountToken/);
  });

  const malformed: [string, Parameters<typeof send>[2], number, RegExp][] = [
    [
      'wrong content type',
      { headers: { 'content-type': 'application/xml' }, body: '<x/>' },
      415,
      /application\/json/,
    ],
    ['no content type', { body: '{}' }, 415, /Content-Type/],
    [
      'truncated JSON',
      { headers: JSON_HEADERS, body: '{"apiVersion":"admission.k8s.io/v1","req' },
      400,
      /not valid JSON/,
    ],
    ['empty body', { headers: JSON_HEADERS, body: '' }, 400, /not valid JSON/],
    ['a JSON array', { headers: JSON_HEADERS, body: '[]' }, 400, /not an AdmissionReview/],
    [
      'no request',
      { headers: JSON_HEADERS, body: '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}' },
      400,
      /no request/,
    ],
    [
      'unknown apiVersion',
      {
        headers: JSON_HEADERS,
        body: '{"apiVersion":"admission.k8s.io/v2","kind":"AdmissionReview","request":{"uid":"u"}}',
      },
      400,
      /unsupported apiVersion/,
    ],
    [
      'wrong kind',
      { headers: JSON_HEADERS, body: '{"kind":"Pod","request":{"uid":"u"}}' },
      400,
      /kind is "Pod"/,
    ],
    ['no uid', { headers: JSON_HEADERS, body: '{"request":{"object":{}}}' }, 400, /uid/],
    [
      'object is a string',
      { headers: JSON_HEADERS, body: review('admission.k8s.io/v1', 'not a pod') },
      400,
      /request.object is not a Pod/,
    ],
    [
      'oversized',
      { headers: JSON_HEADERS, body: review('admission.k8s.io/v1', { pad: 'x'.repeat(70_000) }) },
      413,
      /exceeds/,
    ],
    ['GET /mutate', { method: 'GET' }, 405, /use POST/],
  ];
  for (const [name, opts, status, message] of malformed) {
    test(`malformed: ${name} → ${status} with a clear message and a log line`, async () => {
      const before = logs.length;
      const res = await send(server.url, ca, opts);
      assert.equal(res.status, status);
      assert.match(res.body, message);
      const line = logs.slice(before).find((l) => l.msg === 'admission request rejected');
      assert.ok(line, 'logged');
      assert.equal(line.status, status);
    });
  }

  test('the server survives all of that and still answers', async () => {
    const res = await send(server.url, ca, { method: 'GET', path: '/healthz' });
    assert.equal(res.status, 200);
    assert.equal(res.body, 'ok\n');
    assert.equal((await send(server.url, ca, { method: 'GET', path: '/nope' })).status, 404);
  });

  test('GET /metrics: requests, mutations, skips, errors and a latency histogram in Prometheus text', async () => {
    const res = await send(server.url, ca, { method: 'GET', path: '/metrics' });
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.match(res.body, /^irsakit_webhook_requests_total\{path="\/mutate",code="200"\} \d+$/m);
    assert.match(res.body, /^irsakit_webhook_mutations_total\{mode="irsa"\} [1-9]\d*$/m);
    assert.match(res.body, /^irsakit_webhook_skipped_total\{reason="no-role-arn"\} 1$/m);
    assert.match(res.body, /^irsakit_webhook_errors_total\{kind="bad_request"\} [1-9]\d*$/m);
    assert.match(res.body, /^irsakit_webhook_errors_total\{kind="too_large"\} 1$/m);
    assert.match(res.body, /^# TYPE irsakit_webhook_request_duration_seconds histogram$/m);
    const count = Number(/^irsakit_webhook_request_duration_seconds_count (\d+)$/m.exec(res.body)?.[1]);
    const inf = Number(
      /^irsakit_webhook_request_duration_seconds_bucket\{le="\+Inf"\} (\d+)$/m.exec(res.body)?.[1],
    );
    assert.ok(count > 10);
    assert.equal(inf, count);
  });
});

describe('webhook server: failures of the ServiceAccount source', () => {
  let server: WebhookServer;
  let ca: string;
  const broken: ServiceAccountSource = {
    get: async () => {
      throw new Error('API server unreachable');
    },
  };
  before(async () => {
    const tls = await loopbackTls();
    ca = tls.caPem;
    server = await createWebhookServer({ source: broken, tls, port: 0, log: () => {} });
  });
  after(() => server.close());

  test('a failing source gives 500 (the configuration failurePolicy decides), not a crash', async () => {
    const res = await send(server.url, ca, {
      headers: JSON_HEADERS,
      body: review('admission.k8s.io/v1', pod('app')),
    });
    assert.equal(res.status, 500);
    assert.match(res.body, /API server unreachable/);
    assert.equal((await send(server.url, ca, { method: 'GET', path: '/healthz' })).status, 200);
  });
});

describe('handleAdmissionReview (no HTTP)', () => {
  const deps = { source, config: resolveWebhookConfig() };
  test('accepts raw JSON text and a parsed object alike', async () => {
    const text = review('admission.k8s.io/v1', pod('app'));
    const a = await handleAdmissionReview(text, deps);
    const b = await handleAdmissionReview(JSON.parse(text), deps);
    assert.deepEqual(a, b);
    assert.equal(a.status, 200);
  });
  test('a review without apiVersion (the reference accepts it) is answered as admission.k8s.io/v1', async () => {
    const r = await handleAdmissionReview(
      { request: { uid: 'u', namespace: 'apps', object: pod('app') } },
      deps,
    );
    assert.equal(r.status, 200);
    assert.equal(r.status === 200 && r.review.apiVersion, 'admission.k8s.io/v1');
  });
  test('request.namespace wins over the pod metadata', async () => {
    const p = pod('app');
    p.metadata!.namespace = 'elsewhere';
    const r = await handleAdmissionReview(JSON.parse(review('admission.k8s.io/v1', p)), deps);
    assert.equal(r.status === 200 && r.result.decision, 'patch');
  });
});
