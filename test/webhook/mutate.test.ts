import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import {
  applyPatch,
  mutate,
  type Pod,
  parseExpiration,
  parseSkipContainers,
  resolveWebhookConfig,
  type ServiceAccount,
  type WebhookConfigInput,
} from '../../src/webhook/index.js';
import { normalize, patchPod } from './helpers/pods.js';

interface Case {
  description: string;
  config?: WebhookConfigInput & { podIdentity?: { associations: string[] } };
  serviceAccount: ServiceAccount | null;
  pod: Pod;
  expect: { decision: 'patch' | 'none'; mode?: string; reason?: string; warnings?: string[] };
  expected: Pod;
}

const dir = join(import.meta.dirname, 'fixtures', 'cases');
const zeros = (n: number) => Buffer.alloc(n);

describe('mutate: one fixture per behaviour (test/webhook/fixtures/cases)', () => {
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    const c = parse(readFileSync(join(dir, file), 'utf8')) as Case;
    test(`${file.replace(/\.yaml$/, '')}: ${c.description.trim().split('\n')[0]}`, () => {
      const config = resolveWebhookConfig(c.config ?? {});
      const result = mutate(c.pod, c.serviceAccount ?? undefined, config, { random: zeros });
      assert.equal(result.decision, c.expect.decision);
      if (c.expect.mode) assert.equal(result.mode, c.expect.mode);
      if (c.expect.reason) assert.equal(result.reason, c.expect.reason);
      assert.deepEqual(result.warnings, c.expect.warnings ?? []);
      const patch = result.decision === 'patch' ? result.patch : [];
      // Targeted operations only: never a whole container array (what lost native sidecars in the reference).
      for (const op of patch) {
        assert.equal(op.op, 'add');
        assert.doesNotMatch(op.path, /^\/spec\/(init)?[cC]ontainers$/);
      }
      const patched = patchPod(c.pod, patch);
      assert.deepEqual(normalize(patched), normalize(c.expected));
      // irsakit's own applier (used by the local cluster) agrees with the library.
      assert.deepEqual(applyPatch(c.pod, patch), patched);
      // Idempotent: a second admission (reinvocationPolicy IfNeeded) changes nothing more.
      const again = mutate(patched, c.serviceAccount ?? undefined, config, { random: zeros });
      if (again.decision === 'patch') assert.deepEqual(patchPod(patched, again.patch), patched);
      else assert.notEqual(again.reason, undefined);
      if (result.decision === 'patch') assert.equal(again.decision, 'none');
    });
  }
});

describe('mutate: details', () => {
  const sa: ServiceAccount = {
    metadata: {
      name: 'app',
      namespace: 'apps',
      annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/r' },
    },
  };
  const pod = (extra: Partial<Pod> = {}): Pod => ({
    metadata: { name: 'p' },
    spec: { serviceAccountName: 'app', containers: [{ name: 'c', image: 'x' }] },
    ...extra,
  });

  test('the request namespace wins over the pod and SA namespaces (Pod Identity association lookup)', () => {
    const config = resolveWebhookConfig({ podIdentity: { associations: ['team-a/app'] } });
    assert.equal(mutate(pod(), sa, config, { namespace: 'team-a', random: zeros }).mode, 'pod-identity');
    assert.equal(mutate(pod(), sa, config, { namespace: 'apps', random: zeros }).mode, 'irsa');
  });

  test('a pod without serviceAccountName uses the ServiceAccount "default"', () => {
    const config = resolveWebhookConfig({ podIdentity: { associations: ['apps/default'] } });
    const p = pod();
    delete p.spec!.serviceAccountName;
    assert.equal(mutate(p, undefined, config, { namespace: 'apps', random: zeros }).mode, 'pod-identity');
  });

  test('Pod Identity jitter spans [79200, 86400] and stays there for the largest random value', () => {
    const config = resolveWebhookConfig({ podIdentity: { associations: ['apps/app'] } });
    const exp = (fill: number) => {
      const r = mutate(pod(), sa, config, { namespace: 'apps', random: (n) => Buffer.alloc(n, fill) });
      assert.equal(r.decision, 'patch');
      const vol = r.patch.find((o) => o.path === '/spec/volumes')!.value as [
        { projected: { sources: [{ serviceAccountToken: { expirationSeconds: number } }] } },
      ];
      return vol[0].projected.sources[0].serviceAccountToken.expirationSeconds;
    };
    assert.equal(exp(0), 79_200);
    const high = exp(0xff);
    assert.ok(high >= 79_200 && high <= 86_400, String(high));
  });

  test('a pod without spec, or with an empty one, is allowed as is', () => {
    const config = resolveWebhookConfig();
    assert.equal(mutate({ metadata: {} }, sa, config).reason, 'no-spec');
    const r = mutate({ metadata: {}, spec: { serviceAccountName: 'app' } }, sa, config);
    assert.equal(r.decision, 'patch');
    assert.deepEqual(
      r.patch.map((o) => o.path),
      ['/spec/volumes'],
    );
  });

  test('the label op escapes "/" when labels exist, and adds the map when they do not', () => {
    const config = resolveWebhookConfig({ podIdentity: { associations: ['apps/app'] } });
    const withLabels = mutate(pod({ metadata: { labels: { a: 'b' } } }), sa, config, {
      namespace: 'apps',
      random: zeros,
    });
    assert.equal(
      withLabels.decision === 'patch' && withLabels.patch[0]!.path,
      '/metadata/labels/eks.amazonaws.com~1pod-identity',
    );
    const without = mutate(pod(), sa, config, { namespace: 'apps', random: zeros });
    assert.equal(without.decision === 'patch' && without.patch[0]!.path, '/metadata/labels');
  });

  test('parseExpiration follows Go ParseInt and the 600 s floor, with no maximum', () => {
    assert.equal(parseExpiration('3600'), 3600);
    assert.equal(parseExpiration('+3600'), 3600);
    assert.equal(parseExpiration('-5'), 600);
    assert.equal(parseExpiration('0'), 600);
    assert.equal(parseExpiration('999999'), 999999);
    for (const bad of ['', ' 3600', '3600s', '1e4', '0x10', '9223372036854775808']) {
      assert.equal(parseExpiration(bad), undefined, bad);
    }
  });

  test('parseSkipContainers: Go csv first record, quoted fields, trimmed names, errors skip nothing', () => {
    const s = (v: string) => [...parseSkipContainers(v)].sort();
    assert.deepEqual(s('a,b'), ['a', 'b']);
    assert.deepEqual(s('a, b'), ['a', 'b']);
    assert.deepEqual(s('"x,y",z'), ['x,y', 'z']);
    assert.deepEqual(s('"a""b"'), ['a"b']);
    assert.deepEqual(s('a\nb'), ['a']);
    assert.deepEqual(s('\n\na'), ['a']);
    assert.deepEqual(s(''), []);
    assert.deepEqual(s('a"b'), []);
    assert.deepEqual(s('"a"b'), []);
    assert.deepEqual(s('"unterminated'), []);
  });
});
