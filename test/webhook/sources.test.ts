import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { isIrsakitError } from '../../src/errors/index.js';
import {
  createFileServiceAccountSource,
  createMemoryServiceAccountSource,
  startLocalWebhook,
} from '../../src/webhook/index.js';
import { send } from './helpers/tls.js';

const dir = mkdtempSync(join(tmpdir(), 'irsakit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('file ServiceAccount source', () => {
  test('reads single documents, multi-document YAML and Lists; namespace defaults to "default"', async () => {
    const file = join(dir, 'sa.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: ServiceAccount',
        'metadata: {name: one, annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::1:role/one"}}',
        '---',
        'apiVersion: v1',
        'kind: List',
        'items:',
        '  - {apiVersion: v1, kind: ServiceAccount, metadata: {name: two, namespace: apps}}',
        '  - {apiVersion: v1, kind: ConfigMap, metadata: {name: ignored, namespace: apps}}',
      ].join('\n'),
    );
    const source = createFileServiceAccountSource(file);
    assert.equal(
      (await source.get('default', 'one'))?.metadata.annotations?.['eks.amazonaws.com/role-arn'],
      'arn:aws:iam::1:role/one',
    );
    assert.equal((await source.get('apps', 'two'))?.metadata.name, 'two');
    assert.equal(await source.get('apps', 'ignored'), undefined);
  });

  test('picks up edits (by modification time) without a restart', async () => {
    const file = join(dir, 'edit.json');
    writeFileSync(file, JSON.stringify({ kind: 'ServiceAccount', metadata: { name: 'a', namespace: 'x' } }));
    utimesSync(file, 1000, 1000);
    const source = createFileServiceAccountSource(file);
    assert.ok(await source.get('x', 'a'));
    writeFileSync(file, JSON.stringify({ kind: 'ServiceAccount', metadata: { name: 'b', namespace: 'x' } }));
    utimesSync(file, 2000, 2000);
    assert.equal(await source.get('x', 'a'), undefined);
    assert.ok(await source.get('x', 'b'));
  });

  test('a malformed file is ERR_INPUT naming the file', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'kind: ServiceAccount\nmetadata: {name: [unclosed\n');
    await assert.rejects(createFileServiceAccountSource(file).get('x', 'y'), (err: unknown) => {
      assert.ok(isIrsakitError(err));
      assert.equal(err.code, 'ERR_INPUT');
      assert.match(err.message, /bad\.yaml/);
      return true;
    });
  });
});

describe('startLocalWebhook (the one call irsakit up makes)', () => {
  test('starts on the given port with a generated certificate whose CA it returns, and mutates', async () => {
    const source = createMemoryServiceAccountSource([
      {
        metadata: {
          name: 'app',
          namespace: 'apps',
          annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/app' },
        },
      },
    ]);
    const webhook = await startLocalWebhook({
      source,
      port: 0,
      config: { region: 'us-east-1' },
      log: () => {},
    });
    try {
      assert.ok(webhook.caPem);
      const body = JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: {
          uid: 'x',
          namespace: 'apps',
          object: { spec: { serviceAccountName: 'app', containers: [] } },
        },
      });
      const res = await send(webhook.url, webhook.caPem, {
        headers: { 'content-type': 'application/json' },
        body,
      });
      assert.equal(res.status, 200);
      assert.equal(JSON.parse(res.body).response.patchType, 'JSONPatch');
    } finally {
      await webhook.close();
    }
  });
});
