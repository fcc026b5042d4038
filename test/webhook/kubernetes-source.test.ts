import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createKubernetesServiceAccountSource,
  type KubernetesServiceAccountSource,
} from '../../src/webhook/index.js';
import { StubApiServer } from './helpers/stub-api-server.js';

const ROLE = { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/app' };

/** Polls until `check` holds (the watch is asynchronous); fails after a generous bound, never on speed. */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await sleep(10);
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('Kubernetes ServiceAccount source (client-node) against a stub API server on loopback', () => {
  const api = new StubApiServer();
  let source: KubernetesServiceAccountSource | undefined;
  const make = (lookupWaitMs: number) => {
    source = createKubernetesServiceAccountSource({
      kubeConfig: api.kubeConfig(),
      annotationPrefix: 'eks.amazonaws.com',
      lookupWaitMs,
    });
    return source;
  };

  before(() => api.start());
  afterEach(async () => {
    await source?.stop();
    source = undefined;
    api.holdWatch = false;
    api.failGets = false;
    api.objects.clear();
  });
  after(() => api.close());

  test('lists at start, then follows the watch; cache hits make no API call; only prefix annotations are kept', async () => {
    api.put('apps', 'listed', {
      ...ROLE,
      'kubectl.kubernetes.io/last-applied-configuration': '{"big":"blob"}',
    });
    const s = make(10_000);
    await s.start();
    assert.equal(s.ready(), true);
    const listed = await s.get('apps', 'listed');
    assert.deepEqual(listed?.metadata.annotations, ROLE);

    await until(() => api.watcherCount() === 1, 'the watch');
    api.failGets = true; // only the watch can deliver it
    api.put('apps', 'watched', ROLE);
    assert.equal((await s.get('apps', 'watched'))?.metadata.name, 'watched');
    const mark = api.requests.length;
    assert.equal((await s.get('apps', 'watched'))?.metadata.name, 'watched');
    assert.equal(api.requests.length, mark, 'a cache hit makes no API call');
  });

  test('a ServiceAccount created just before its pod, while the watch lags, is found by the direct GET', async () => {
    const s = make(10_000);
    await s.start();
    await until(() => api.watcherCount() === 1, 'the watch');
    api.holdWatch = true;
    api.put('apps', 'fresh', ROLE);
    const sa = await s.get('apps', 'fresh');
    assert.equal(
      sa?.metadata.annotations?.['eks.amazonaws.com/role-arn'],
      ROLE['eks.amazonaws.com/role-arn'],
    );
    assert.ok(api.requests.includes('GET /api/v1/namespaces/apps/serviceaccounts/fresh'));
  });

  test('a ServiceAccount created just after its pod arrives through the watch within the bounded wait', async () => {
    const s = make(10_000);
    await s.start();
    await until(() => api.watcherCount() === 1, 'the watch');
    const pending = s.get('apps', 'late');
    await until(
      () => api.requests.includes('GET /api/v1/namespaces/apps/serviceaccounts/late'),
      'the 404 GET',
    );
    api.put('apps', 'late', ROLE);
    assert.equal((await pending)?.metadata.name, 'late');
  });

  test('concurrent lookups of one missing ServiceAccount share one GET', async () => {
    const s = make(10_000);
    await s.start();
    await until(() => api.watcherCount() === 1, 'the watch');
    api.holdWatch = true;
    api.put('apps', 'shared', ROLE);
    const results = await Promise.all(Array.from({ length: 10 }, () => s.get('apps', 'shared')));
    assert.ok(results.every((r) => r?.metadata.name === 'shared'));
    assert.equal(api.requests.filter((r) => r.endsWith('/serviceaccounts/shared')).length, 1);
  });

  test('a ServiceAccount that never appears gives undefined once the wait is over', async () => {
    const s = make(150);
    await s.start();
    assert.equal(await s.get('apps', 'ghost'), undefined);
  });

  test('when the GET fails and nothing arrives, the lookup fails (so failurePolicy applies) instead of guessing', async () => {
    const s = make(150);
    await s.start();
    api.failGets = true;
    await assert.rejects(s.get('apps', 'unknown'), /GET failed/);
  });

  test('DELETED events remove entries; a closed watch is re-established and keeps delivering', async () => {
    api.put('apps', 'doomed', ROLE);
    const s = make(100);
    await s.start();
    assert.ok(await s.get('apps', 'doomed'));
    await until(() => api.watcherCount() === 1, 'the watch');
    api.remove('apps', 'doomed');
    await until(async () => (await s.get('apps', 'doomed')) === undefined, 'the deletion');

    api.closeWatches();
    await until(() => api.watcherCount() === 1, 'the watch to come back');
    api.failGets = true; // only the watch can deliver now
    api.put('apps', 'after-reconnect', ROLE);
    await until(
      () =>
        s.get('apps', 'after-reconnect').then(
          (sa) => sa !== undefined,
          () => false,
        ),
      'the SA after reconnect',
    );
  });
});
