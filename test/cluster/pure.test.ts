import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyJsonPatch,
  type ContainerStatus,
  expand,
  matchesSelector,
  parseManifests,
  podPhase,
  resolvePath,
} from '../../src/cluster/index.js';

describe('pure pieces of the cluster', () => {
  it('RFC 6902 patches', () => {
    const doc = { a: [1, 2], b: { c: 1 } };
    assert.deepEqual(
      applyJsonPatch(doc, [
        { op: 'add', path: '/a/-', value: 3 },
        { op: 'add', path: '/a/0', value: 0 },
        { op: 'replace', path: '/b/c', value: 2 },
        { op: 'copy', from: '/b/c', path: '/d' },
        { op: 'move', from: '/d', path: '/e' },
        { op: 'remove', path: '/a/1' },
        { op: 'test', path: '/e', value: 2 },
        { op: 'add', path: '/b/x~1y', value: true },
      ]),
      { a: [0, 2, 3], b: { c: 2, 'x/y': true }, e: 2 },
    );
    assert.deepEqual(doc, { a: [1, 2], b: { c: 1 } }, 'input untouched');
    assert.throws(() => applyJsonPatch(doc, [{ op: 'remove', path: '/nope' }]), /does not exist/);
    assert.throws(() => applyJsonPatch(doc, [{ op: 'test', path: '/b/c', value: 9 }]), /test failed/);
  });

  it('label selectors', () => {
    const labels = { app: 'web', tier: 'front' };
    assert.equal(matchesSelector(undefined, labels), true);
    assert.equal(matchesSelector({}, labels), true);
    assert.equal(matchesSelector({ matchLabels: { app: 'web' } }, labels), true);
    assert.equal(matchesSelector({ matchLabels: { app: 'db' } }, labels), false);
    assert.equal(
      matchesSelector({ matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] }, labels),
      true,
    );
    assert.equal(
      matchesSelector({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, labels),
      false,
    );
    assert.equal(
      matchesSelector({ matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] }, labels),
      true,
    );
    assert.equal(matchesSelector({ matchExpressions: [{ key: 'x', operator: 'Exists' }] }, labels), false);
  });

  it('resolves mount paths and expands $(VAR)', () => {
    const mounts = [
      {
        mountPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount',
        localPath: '/pods/u/volumes/aws-iam-token',
      },
      { mountPath: '/data', localPath: '/pods/u/volumes/data' },
    ];
    assert.equal(
      resolvePath('/var/run/secrets/eks.amazonaws.com/serviceaccount/token', mounts),
      '/pods/u/volumes/aws-iam-token/token',
    );
    assert.equal(
      resolvePath('cat /data/n > /data/m', mounts),
      'cat /pods/u/volumes/data/n > /pods/u/volumes/data/m',
    );
    assert.equal(resolvePath('--file=/data/x', mounts), '--file=/pods/u/volumes/data/x');
    assert.equal(resolvePath('/database', mounts), '/database');
    assert.equal(resolvePath('/srv/data', mounts), '/srv/data');
    assert.equal(expand('$(A)-$(B)-$$(A)', { A: '1' }), '1-$(B)-$(A)');
  });

  it('pod phase from container states and restart policy', () => {
    const st = (
      state: ContainerStatus['state'],
      last: ContainerStatus['lastState'] = {},
    ): ContainerStatus => ({
      name: 'c',
      state,
      lastState: last,
      ready: false,
      restartCount: 0,
      image: '',
      imageID: '',
      started: false,
    });
    const done = (exitCode: number) => st({ terminated: { exitCode, reason: '', finishedAt: '' } });
    const spec = (restartPolicy: 'Always' | 'OnFailure' | 'Never') => ({ containers: [], restartPolicy });
    assert.equal(podPhase(spec('Never'), [], [st({ waiting: { reason: 'ContainerCreating' } })]), 'Pending');
    assert.equal(podPhase(spec('Never'), [], [st({ running: { startedAt: '' } }), done(1)]), 'Running');
    assert.equal(podPhase(spec('Never'), [], [done(0)]), 'Succeeded');
    assert.equal(podPhase(spec('Never'), [], [done(0), done(2)]), 'Failed');
    assert.equal(podPhase(spec('OnFailure'), [], [done(0)]), 'Succeeded');
    assert.equal(
      podPhase(
        spec('Always'),
        [],
        [
          st(
            { waiting: { reason: 'CrashLoopBackOff' } },
            { terminated: { exitCode: 0, reason: '', finishedAt: '' } },
          ),
        ],
      ),
      'Running',
    );
    assert.equal(
      podPhase(spec('Never'), [done(1)], [st({ waiting: { reason: 'PodInitializing' } })]),
      'Failed',
    );
    assert.equal(
      podPhase(spec('Always'), [done(1)], [st({ waiting: { reason: 'PodInitializing' } })]),
      'Pending',
    );
  });

  it('parses multi-document YAML, JSON and Lists, naming documents in errors', () => {
    const ok = parseManifests(
      '---\na: 1\nkind: X\napiVersion: v1\n---\n---\n{"kind":"List","apiVersion":"v1","items":[{"kind":"Y","apiVersion":"v1"}]}\n',
      'f.yaml',
    );
    assert.ok(ok.ok);
    assert.deepEqual(
      ok.documents.map((d) => [d.index, d.object.kind]),
      [
        [1, 'X'],
        [3, 'Y'],
      ],
    );
    const bad = parseManifests('kind: X\napiVersion: v1\n---\nkind: [\n', 'f.yaml');
    assert.ok(!bad.ok);
    assert.match(bad.problems[0]!, /^f\.yaml: document 2: error converting YAML to JSON: /);
    const dup = parseManifests('kind: X\nkind: Y\napiVersion: v1\n', 'd.yaml');
    assert.ok(!dup.ok);
    assert.match(dup.problems[0]!, /document 1: .*[Mm]ap keys must be unique/);
  });
});
