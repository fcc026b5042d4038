import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli/index.js';
import { type Harness, serveRoutes, startHarness } from './helpers.js';

describe('CLI: apply, get, describe, logs, exec, delete, node set-metadata-options', () => {
  let h: Harness;
  let server: { url: string; close(): Promise<void> };
  before(async () => {
    h = await startHarness({
      imds: {
        port: 0,
        instanceProfile: async () => undefined,
        nodeCredentials: async () => ({
          accessKeyId: 'A',
          secretAccessKey: 'S',
          sessionToken: 'T',
          expiration: Date.now() + 3_600_000,
        }),
      },
    });
    server = await serveRoutes(h.cluster.routes, 'tok');
  });
  after(async () => {
    await server.close();
    await h.close();
  });

  async function cli(args: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
    const out = new PassThrough();
    const err = new PassThrough();
    const input = new PassThrough();
    input.end(stdin);
    let o = '';
    let e = '';
    out.on('data', (c) => {
      o += c;
    });
    err.on('data', (c) => {
      e += c;
    });
    const code = await main(args, {
      env: { IRSAKIT_ENDPOINT: server.url, IRSAKIT_ADMIN_TOKEN: 'tok' },
      stdout: out,
      stderr: err,
      stdin: input,
      cwd: h.dir,
    });
    return { code, out: o, err: e };
  }

  it('applies from stdin and shows the objects', async () => {
    const manifest = `
apiVersion: v1
kind: ServiceAccount
metadata: {name: app, annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/app"}}
---
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  serviceAccountName: app
  containers: [{name: c, image: nginx, command: [sh, -c, 'echo hello from web; sleep 60']}]
`;
    const r = await cli(['apply', '-f', '-'], manifest);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'serviceaccount/app created\npod/web created\n');
    assert.equal(
      (await cli(['apply', '-f', '-'], manifest)).out,
      'serviceaccount/app unchanged\npod/web unchanged\n',
    );
    await h.cluster.waitForPhase('default', 'web', ['Running']);

    const table = await cli(['get', 'pods']);
    assert.match(table.out, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nweb\s+1\/1\s+Running\s+0\s+\d+s\n$/);
    const yaml = await cli(['get', 'pod', 'web', '-o', 'yaml']);
    assert.match(
      yaml.out,
      /AWS_WEB_IDENTITY_TOKEN_FILE\n\s+value: \/var\/run\/secrets\/eks\.amazonaws\.com\/serviceaccount\/token/,
    );
    const json = JSON.parse((await cli(['get', 'sa/app', '-o', 'json'])).out);
    assert.equal(
      json.metadata.annotations['eks.amazonaws.com/role-arn'],
      'arn:aws:iam::111122223333:role/app',
    );
    const described = await cli(['describe', 'pod', 'web']);
    assert.match(described.out, /Service Account:\s+app/);
    assert.match(
      described.out,
      /\/var\/run\/secrets\/eks\.amazonaws\.com\/serviceaccount from aws-iam-token \(ro\)/,
    );

    const logs = await cli(['logs', 'web']);
    assert.equal(logs.out, 'hello from web\n');
    const ex = await cli([
      'exec',
      'web',
      '--',
      'sh',
      '-c',
      'cat $AWS_WEB_IDENTITY_TOKEN_FILE | cut -c1-3; exit 4',
    ]);
    assert.equal(ex.out, 'eyJ\n');
    assert.equal(ex.code, 4);

    const missing = await cli(['get', 'pod', 'nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /Error from server \(NotFound\): pods "nope" not found/);
    const bad = await cli(
      ['apply', '-f', '-'],
      'apiVersion: v1\nkind: Pod\nmetadata: {name: Bad}\nspec: {containers: [{name: c, image: x}]}\n',
    );
    assert.equal(bad.code, 1);
    assert.match(
      bad.err,
      /Error from server \(Invalid\): nothing was applied; STDIN has 1 invalid object\(s\):\nSTDIN: document 1 \(Pod "Bad"\): Pod "Bad" is invalid: metadata\.name: Invalid value: "Bad"/,
    );

    const del = await cli(['delete', 'pod', 'web']);
    assert.equal(del.out, 'pod "web" deleted\n');
    assert.equal((await cli(['get', 'pods'])).err, 'No resources found in default namespace.\n');
  });

  it('changes the node metadata options and refuses bad values', async () => {
    const r = await cli([
      'node',
      'set-metadata-options',
      '--http-tokens',
      'required',
      '--http-put-response-hop-limit',
      '1',
    ]);
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out);
    assert.equal(out.InstanceMetadataOptions.HttpTokens, 'required');
    assert.equal(out.InstanceMetadataOptions.HttpPutResponseHopLimit, 1);
    assert.deepEqual(h.cluster.node.metadataOptions(), {
      HttpTokens: 'required',
      HttpPutResponseHopLimit: 1,
      HttpEndpoint: 'enabled',
    });
    const bad = await cli(['node', 'set-metadata-options', '--http-put-response-hop-limit', '65']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /InvalidParameterValue.*HttpPutResponseHopLimit/);
  });
});
