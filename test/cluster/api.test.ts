import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod, ServiceAccount } from '../../src/cluster/index.js';
import { isStatusError } from '../../src/cluster/index.js';
import { type Harness, startHarness } from './helpers.js';

async function refused(p: Promise<unknown>, pattern: RegExp, code?: number): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isStatusError(err), String(err));
    assert.match(err.status.message, pattern);
    if (code !== undefined) assert.equal(err.status.code, code);
    return true;
  });
}

const pod = (name: string, extra = '') => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  restartPolicy: Never
  containers: [{name: c, image: busybox, command: ["true"]}]
${extra}`;

describe('API server: validation and apply', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('has the system namespaces and their default ServiceAccounts', () => {
    const names = h.cluster.api.list('Namespace').map((n) => n.metadata.name);
    assert.deepEqual(names.sort(), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    assert.ok(h.cluster.api.get('ServiceAccount', 'kube-system', 'default'));
    assert.equal(
      h.cluster.api.list('MutatingWebhookConfiguration')[0]?.metadata.name,
      'pod-identity-webhook',
    );
  });

  it('refuses names that are not DNS-1123, with the API server message', async () => {
    await refused(
      h.cluster.applyManifest(pod('My_Pod')),
      /Pod "My_Pod" is invalid: metadata\.name: Invalid value: "My_Pod": a lowercase RFC 1123 subdomain must consist of/,
    );
    await refused(
      h.cluster.applyManifest('apiVersion: v1\nkind: Namespace\nmetadata: {name: team.a}\n'),
      /Namespace "team\.a" is invalid: metadata\.name: Invalid value: "team\.a": a lowercase RFC 1123 label/,
    );
  });

  it('refuses a pod whose ServiceAccount does not exist', async () => {
    await refused(
      h.cluster.api.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'orphan' },
        spec: { serviceAccountName: 'nope', containers: [{ name: 'c', image: 'x', command: ['true'] }] },
      }),
      /^pods "orphan" is forbidden: error looking up service account default\/nope: serviceaccount "nope" not found$/,
      403,
    );
  });

  it('names the document and field of malformed or unknown input, and applies nothing', async () => {
    const sa = 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: half}\n';
    await refused(
      h.cluster.applyManifest(`${sa}---\napiVersion: v1\nkind: Pod\nmetadata: {name: x\n`, {
        source: 'bad.yaml',
      }),
      /bad\.yaml: document 2: error converting YAML to JSON/,
    );
    await refused(
      h.cluster.applyManifest(`${sa}---\napiVersion: v1\nkind: Potd\nmetadata: {name: x}\n`, {
        source: 'k.yaml',
      }),
      /k\.yaml: document 2 \(Potd "x"\): no matches for kind "Potd" in version "v1"/,
    );
    await refused(
      h.cluster.applyManifest(`${sa}---\n${pod('typo').replace('command:', 'comand:')}`, {
        source: 't.yaml',
      }),
      /t\.yaml: document 2 \(Pod "typo"\): Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec\.containers\[0\]\.comand"/,
    );
    await refused(
      h.cluster.applyManifest(pod('wrongtype').replace('command: ["true"]', 'command: "true"')),
      /json: cannot unmarshal string into Go struct field Container\.spec\.containers\.command of type \[\]string/,
    );
    await refused(
      h.cluster.applyManifest(`${sa}---\nkind: Pod\nmetadata: {name: x}\n`, { source: 'v.yaml' }),
      /v\.yaml: document 2: error validating data: apiVersion not set/,
    );
    await refused(
      h.cluster.applyManifest('- just\n- a list\n', { source: 'l.yaml' }),
      /l\.yaml: document 1: expected a Kubernetes object/,
    );
    assert.equal(
      h.cluster.objects.get('ServiceAccount', 'default', 'half'),
      undefined,
      'nothing half-applied',
    );
  });

  it('reports every invalid field at once', async () => {
    const bad = `
apiVersion: v1
kind: Pod
metadata: {name: many}
spec:
  restartPolicy: Sometimes
  containers:
    - {name: Bad_Name, command: ["true"], volumeMounts: [{name: nowhere, mountPath: /x}]}
  volumes:
    - name: tok
      projected: {sources: [{serviceAccountToken: {path: token, expirationSeconds: 60}}]}
`;
    await assert.rejects(h.cluster.applyManifest(bad), (err: unknown) => {
      assert.ok(isStatusError(err));
      const m = err.status.message;
      assert.match(
        m,
        /spec\.volumes\[0\]\.projected\.sources\[0\]\.serviceAccountToken\.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes/,
      );
      assert.match(m, /spec\.containers\[0\]\.name: Invalid value: "Bad_Name"/);
      assert.match(m, /spec\.containers\[0\]\.image: Required value/);
      assert.match(m, /spec\.containers\[0\]\.volumeMounts\[0\]\.name: Not found: "nowhere"/);
      assert.match(
        m,
        /spec\.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"/,
      );
      return true;
    });
  });

  it('takes JSON and Lists, applies idempotently, and refuses pod spec changes', async () => {
    const json = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'j', annotations: { a: '1' } } }],
    });
    const first = await h.cluster.applyManifest(json);
    assert.equal(first.results[0]?.action, 'created');
    assert.equal((await h.cluster.applyManifest(json)).results[0]?.action, 'unchanged');
    const changed = await h.cluster.applyManifest(json.replace('"a":"1"', '"b":"2"'));
    assert.equal(changed.results[0]?.action, 'configured');
    assert.deepEqual(
      Object.keys(
        h.cluster.api.get<ServiceAccount>('ServiceAccount', 'default', 'j').metadata.annotations ?? {},
      ).sort(),
      ['b', 'kubectl.kubernetes.io/last-applied-configuration'],
    );

    await h.cluster.applyManifest(pod('fixed'));
    assert.equal((await h.cluster.applyManifest(pod('fixed'))).results[0]?.action, 'unchanged');
    const relabel = await h.cluster.applyManifest(
      pod('fixed').replace('{name: fixed}', '{name: fixed, labels: {app: x}}'),
    );
    assert.equal(relabel.results[0]?.action, 'configured');
    assert.equal(h.cluster.api.get<Pod>('Pod', 'default', 'fixed').metadata.labels?.app, 'x');
    await refused(
      h.cluster.applyManifest(pod('fixed').replace('["true"]', '["false"]')),
      /Pod "fixed" is invalid: spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`/,
      422,
    );
  });

  it('refuses objects in a missing namespace, and a namespace mismatch', async () => {
    await refused(
      h.cluster.applyManifest(pod('p').replace('{name: p}', '{name: p, namespace: ghost}')),
      /namespaces "ghost" not found/,
    );
    await refused(
      h.cluster.applyManifest(pod('p').replace('{name: p}', '{name: p, namespace: kube-system}'), {
        namespace: 'default',
        explicitNamespace: true,
      } as never),
      /the namespace from the provided object "kube-system" does not match the namespace "default"/,
    );
    const ok = await h.cluster.applyManifest(
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app, namespace: team-a}\n',
    );
    assert.equal(ok.ok, true);
    assert.equal(
      h.cluster.api.get('Namespace', '', 'team-a').metadata.labels?.['kubernetes.io/metadata.name'],
      'team-a',
    );
    assert.ok(h.cluster.api.get('ServiceAccount', 'team-a', 'default'));
    await h.cluster.api.delete('Namespace', '', 'team-a');
    assert.equal(h.cluster.objects.get('ServiceAccount', 'team-a', 'app'), undefined);
  });

  it('deletes what a manifest names', async () => {
    const m = 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: gone}\n';
    await h.cluster.applyManifest(m);
    const report = await h.cluster.api.deleteManifest(m);
    assert.equal(report.results[0]?.action, 'deleted');
    const again = await h.cluster.api.deleteManifest(m);
    assert.equal(again.results[0]?.error?.message, 'serviceaccounts "gone" not found');
  });
});
