import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, test } from 'node:test';
import { main } from '../../src/cli/index.js';
import { send } from './helpers/tls.js';

const dir = mkdtempSync(join(tmpdir(), 'irsakit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => {
    out += c;
  });
  stderr.on('data', (c) => {
    err += c;
  });
  return { io: { stdout, stderr, cwd: dir, env: {} }, out: () => out, err: () => err };
}

describe('irsakit webhook certs', () => {
  test('writes a CA and a serving pair for the Service names and prints the caBundle', async () => {
    const t = io();
    const code = await main(
      ['webhook', 'certs', '--service', 'hook', '--namespace', 'sys', '--out', 'certs'],
      t.io,
    );
    assert.equal(code, 0, t.err());
    const caPem = Buffer.from(t.out().trim(), 'base64').toString();
    assert.equal(caPem, readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8'));
    const ca = new X509Certificate(caPem);
    const leaf = new X509Certificate(readFileSync(join(dir, 'certs', 'tls.crt')));
    assert.ok(leaf.verify(ca.publicKey));
    for (const n of ['hook', 'hook.sys', 'hook.sys.svc', 'hook.sys.svc.cluster.local']) {
      assert.ok(leaf.checkHost(n), n);
    }
    assert.equal(statSync(join(dir, 'certs', 'tls.key')).mode & 0o777, 0o600);
  });

  test('rejects a Service name that is not a DNS label', async () => {
    const t = io();
    assert.equal(await main(['webhook', 'certs', '--service', 'Bad_Name'], t.io), 1);
    assert.match(t.err(), /ERR_INVALID_NAME/);
  });
});

describe('irsakit webhook serve (a real child process)', () => {
  let child: ChildProcess | undefined;
  after(() => {
    child?.kill('SIGKILL');
  });

  test('serves AdmissionReviews from a ServiceAccount file with a generated certificate, and stops on SIGTERM', async () => {
    const saFile = join(dir, 'sas.yaml');
    writeFileSync(
      saFile,
      [
        'apiVersion: v1',
        'kind: List',
        'items:',
        '  - apiVersion: v1',
        '    kind: ServiceAccount',
        '    metadata: {name: app, namespace: apps, annotations: {irsakit.dev/role-arn: "arn:aws:iam::111122223333:role/app"}}',
      ].join('\n'),
    );
    const runner = join(import.meta.dirname, 'helpers', 'run-cli.ts');
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        runner,
        'webhook',
        'serve',
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--service-accounts',
        saFile,
        '--annotation-prefix',
        'irsakit.dev',
        '--region',
        'eu-west-1',
        '--sts-regional-endpoints',
        '--token-expiration',
        '3600',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout!.on('data', (c) => {
      out += c;
    });
    child.stderr!.on('data', (c) => {
      err += c;
    });
    const exited = new Promise<number | null>((r) => child!.on('exit', (code) => r(code)));
    for (let i = 0; i < 600 && !/listening on (\S+)\/mutate/.test(out); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = /listening on (\S+)\/mutate/.exec(out)?.[1];
    assert.ok(url, `no listening line; stderr: ${err}`);
    const caPem = Buffer.from(/caBundle: (\S+)/.exec(err)?.[1] ?? '', 'base64').toString();

    const body = JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: 'abc',
        namespace: 'apps',
        operation: 'CREATE',
        object: {
          metadata: { name: 'p' },
          spec: { serviceAccountName: 'app', containers: [{ name: 'c', image: 'x' }] },
        },
      },
    });
    const res = await send(url, caPem, { headers: { 'content-type': 'application/json' }, body });
    assert.equal(res.status, 200);
    const patch = JSON.parse(Buffer.from(JSON.parse(res.body).response.patch, 'base64').toString()) as {
      path: string;
      value: unknown;
    }[];
    const env = patch.find((o) => o.path === '/spec/containers/0/env')?.value as {
      name: string;
      value: string;
    }[];
    assert.deepEqual(
      env.map((e) => e.name),
      [
        'AWS_STS_REGIONAL_ENDPOINTS',
        'AWS_DEFAULT_REGION',
        'AWS_REGION',
        'AWS_ROLE_ARN',
        'AWS_WEB_IDENTITY_TOKEN_FILE',
      ],
    );
    assert.match(JSON.stringify(patch), /"expirationSeconds":3600/);

    child.kill('SIGTERM');
    assert.equal(await exited, 0, err);
    child = undefined;
  });

  test('flag errors are usage errors (exit 2), without a stack trace', async () => {
    const t = io();
    assert.equal(await main(['webhook', 'serve', '--port', 'http'], t.io), 2);
    assert.match(t.err(), /--port must be an integer/);
    assert.equal(await main(['webhook', 'serve', '--tls-cert', 'a.pem'], t.io), 2);
    assert.match(t.err(), /--tls-cert and --tls-key go together/);
  });
});
