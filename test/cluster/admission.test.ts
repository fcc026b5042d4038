import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { isStatusError, type Pod } from '../../src/cluster/index.js';
import { createCa, issueServerCert, type KeyPairPem } from '../../src/tls/index.js';
import { type Harness, startHarness } from './helpers.js';

const envOf = (pod: Pod) =>
  Object.fromEntries((pod.spec.containers[0]!.env ?? []).map((e) => [e.name, e.value]));

const sa = (annotated: boolean, name = 'app') => `
apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${name}
${annotated ? `  annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/app"}` : ''}
`;
const pod = (name: string, labels = '{}', ns = 'default', saName = 'app') => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}, labels: ${labels}}
spec:
  serviceAccountName: ${saName}
  containers: [{name: c, image: busybox, command: [sleep, "60"]}]
`;

function mwc(name: string, url: string, caPem: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name },
    webhooks: [
      {
        name: `${name}.example.com`,
        clientConfig: { url, caBundle: Buffer.from(caPem).toString('base64') },
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        ...extra,
      },
    ],
  });
}

describe('admission through the registered webhooks', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('annotating a ServiceAccount after its pod exists changes nothing until the pod is recreated', async () => {
    await h.cluster.applyManifest(sa(false) + '---' + pod('early'));
    assert.equal(envOf(h.cluster.api.get<Pod>('Pod', 'default', 'early')).AWS_ROLE_ARN, undefined);
    const annotated = await h.cluster.applyManifest(sa(true));
    assert.equal(annotated.results[0]?.action, 'configured');
    assert.equal(
      envOf(h.cluster.api.get<Pod>('Pod', 'default', 'early')).AWS_ROLE_ARN,
      undefined,
      'running pod unchanged',
    );
    await h.cluster.api.delete('Pod', 'default', 'early');
    await h.cluster.applyManifest(pod('early'));
    const recreated = h.cluster.api.get<Pod>('Pod', 'default', 'early');
    assert.equal(envOf(recreated).AWS_ROLE_ARN, 'arn:aws:iam::111122223333:role/app');
    assert.equal(
      envOf(recreated).AWS_WEB_IDENTITY_TOKEN_FILE,
      '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
    );
    await h.cluster.api.delete('Pod', 'default', 'early');
  });

  it('honours the objectSelector (skip label)', async () => {
    const r = await h.cluster.applyManifest(
      pod('skipped', '{eks.amazonaws.com/skip-pod-identity-webhook: "true"}'),
    );
    assert.equal(r.results[0]?.admission?.[0]?.outcome, 'skipped');
    assert.equal(envOf(h.cluster.api.get<Pod>('Pod', 'default', 'skipped')).AWS_ROLE_ARN, undefined);
    await h.cluster.api.delete('Pod', 'default', 'skipped');
  });
});

describe('webhook failures and policies', () => {
  let h: Harness;
  let ca: KeyPairPem;
  let serving: KeyPairPem;
  const servers: Server[] = [];
  before(async () => {
    h = await startHarness({}, { webhook: false });
    ca = await createCa('test CA');
    serving = await issueServerCert(ca, { commonName: 'stub', ipAddresses: ['127.0.0.1'] });
    await h.cluster.applyManifest(sa(true));
  });
  after(async () => {
    for (const s of servers) s.close();
    await h.close();
  });

  async function stub(
    handler: (review: { request: { uid: string } }) => unknown | undefined,
  ): Promise<string> {
    const server = createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const out = handler(JSON.parse(body));
        if (out === undefined) return; // hang
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(out));
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `https://127.0.0.1:${(server.address() as { port: number }).port}/mutate`;
  }

  it('a webhook that is down: Ignore admits the pod without IRSA; Fail refuses it with the API server message', async () => {
    const dead = 'https://127.0.0.1:1/mutate';
    await h.cluster.applyManifest(mwc('pod-identity', dead, ca.certPem, { failurePolicy: 'Ignore' }));
    const admitted = await h.cluster.applyManifest(pod('ignored'));
    assert.equal(admitted.ok, true);
    assert.equal(admitted.results[0]?.admission?.[0]?.outcome, 'failed-open');
    assert.equal(envOf(h.cluster.api.get<Pod>('Pod', 'default', 'ignored')).AWS_ROLE_ARN, undefined);

    await h.cluster.applyManifest(mwc('pod-identity', dead, ca.certPem, { failurePolicy: 'Fail' }));
    const refused = await h.cluster.applyManifest(pod('refused'));
    assert.equal(refused.ok, false);
    assert.equal(
      refused.results[0]?.error?.message,
      'Internal error occurred: failed calling webhook "pod-identity.example.com": failed to call webhook: Post "https://127.0.0.1:1/mutate?timeout=10s": dial tcp 127.0.0.1:1: connect: connection refused',
    );
    assert.equal(refused.results[0]?.error?.code, 500);
    assert.equal(h.cluster.objects.get('Pod', 'default', 'refused'), undefined);
    await h.cluster.api.delete('MutatingWebhookConfiguration', '', 'pod-identity');
    await h.cluster.api.delete('Pod', 'default', 'ignored');
  });

  it('applies a webhook JSON patch before storing, honours timeoutSeconds, denials and namespaceSelector', async () => {
    const patcher = await stub((review) => ({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: {
        uid: review.request.uid,
        allowed: true,
        patchType: 'JSONPatch',
        patch: Buffer.from(
          JSON.stringify([{ op: 'add', path: '/metadata/labels/patched', value: 'yes' }]),
        ).toString('base64'),
        warnings: ['stub says hi'],
      },
    }));
    await h.cluster.applyManifest(mwc('patcher', patcher, ca.certPem));
    const r = await h.cluster.applyManifest(pod('patched'));
    assert.deepEqual(r.results[0]?.warnings, ['stub says hi']);
    assert.equal(h.cluster.api.get<Pod>('Pod', 'default', 'patched').metadata.labels?.patched, 'yes');
    await h.cluster.api.delete('MutatingWebhookConfiguration', '', 'patcher');

    // Only namespaces labelled team=a are sent to this one.
    await h.cluster.applyManifest(
      mwc('picky', patcher, ca.certPem, { namespaceSelector: { matchLabels: { team: 'a' } } }),
    );
    const skipped = await h.cluster.applyManifest(pod('unpicked'));
    assert.equal(skipped.results[0]?.admission?.[0]?.outcome, 'skipped');
    assert.equal(h.cluster.api.get<Pod>('Pod', 'default', 'unpicked').metadata.labels?.patched, undefined);
    await h.cluster.api.delete('MutatingWebhookConfiguration', '', 'picky');

    const slow = await stub(() => undefined);
    await h.cluster.applyManifest(
      mwc('slow', slow, ca.certPem, { timeoutSeconds: 1, failurePolicy: 'Fail' }),
    );
    const timedOut = await h.cluster.applyManifest(pod('slowpod'));
    assert.match(
      timedOut.results[0]?.error?.message ?? '',
      /failed calling webhook "slow\.example\.com": failed to call webhook: Post "https:\/\/127\.0\.0\.1:\d+\/mutate\?timeout=1s": context deadline exceeded$/,
    );
    await h.cluster.api.delete('MutatingWebhookConfiguration', '', 'slow');

    const denier = await stub((review) => ({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: review.request.uid, allowed: false, status: { code: 403, message: 'no pods today' } },
    }));
    await h.cluster.applyManifest(mwc('denier', denier, ca.certPem));
    await assert.rejects(
      h.cluster.api.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'denied' },
        spec: { serviceAccountName: 'app', containers: [{ name: 'c', image: 'x', command: ['true'] }] },
      }),
      (err: unknown) => {
        assert.ok(isStatusError(err));
        assert.equal(
          err.status.message,
          'admission webhook "denier.example.com" denied the request: no pods today',
        );
        assert.equal(err.status.code, 403);
        return true;
      },
    );
    await h.cluster.api.delete('MutatingWebhookConfiguration', '', 'denier');
  });

  it('refuses an untrusted certificate as kube-apiserver does', async () => {
    const other = await createCa('other');
    const url = await stub(() => ({}));
    await h.cluster.applyManifest(mwc('untrusted', url, other.certPem));
    const r = await h.cluster.applyManifest(pod('untrusted'));
    assert.match(r.results[0]?.error?.message ?? '', /x509: certificate signed by unknown authority/);
    await h.cluster.api.delete('MutatingWebhookConfiguration', '', 'untrusted');
  });
});
