import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { fromInstanceMetadata } from '@aws-sdk/credential-providers';
import {
  createImds,
  DEFAULT_METADATA_OPTIONS,
  type Imds,
  type MetadataOptions,
  validateMetadataOptions,
} from '../../src/imds/index.js';

const identity = {
  instanceId: 'i-0123456789abcdef0',
  instanceType: 'm5.large',
  imageId: 'ami-0abc',
  privateIp: '192.168.1.10',
  hostname: 'ip-192-168-1-10.ec2.internal',
  mac: '0e:00:00:00:00:01',
  region: 'us-east-1',
  availabilityZone: 'us-east-1a',
  accountId: '111122223333',
  launchedAt: Date.UTC(2026, 0, 1),
};

function http(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> } | { dropped: string }> {
  return new Promise((resolve) => {
    const req = request(new URL(path, url), { method, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ dropped: err.code ?? err.message }));
    req.end();
  });
}

describe('instance metadata service', () => {
  let imds: Imds;
  let options: MetadataOptions = DEFAULT_METADATA_OPTIONS;
  let calls = 0;
  let podUrl = '';
  before(async () => {
    imds = createImds({
      port: 0,
      options: () => options,
      identity: () => identity,
      instanceProfile: async () => ({
        roleName: 'irsakit-node-role',
        arn: 'arn:aws:iam::111122223333:instance-profile/irsakit-node',
        id: 'AIPAEXAMPLE0000000001',
      }),
      nodeCredentials: async () => {
        calls++;
        return {
          accessKeyId: 'ASIANODEROLE00000001',
          secretAccessKey: 'secret',
          sessionToken: 'token',
          expiration: Date.now() + 3_600_000,
        };
      },
    });
    await imds.start();
    podUrl = (await imds.attachPod({ namespace: 'default', name: 'p', uid: 'u1' })).url;
  });
  after(async () => {
    await imds.stop();
  });

  it('gives a pod its own loopback address', async () => {
    assert.match(podUrl, /^http:\/\/127\.77\.\d+\.\d+:\d+\/$/);
    assert.equal(
      (await imds.attachPod({ namespace: 'default', name: 'p', uid: 'u1' })).url,
      podUrl,
      'idempotent',
    );
  });

  it('serves IMDSv2: PUT token with TTL, then GETs with the token', async () => {
    const missing = await http(imds.url, 'PUT', '/latest/api/token');
    assert.equal('status' in missing && missing.status, 400);
    for (const bad of ['0', '21601', 'abc']) {
      const r = await http(imds.url, 'PUT', '/latest/api/token', {
        'x-aws-ec2-metadata-token-ttl-seconds': bad,
      });
      assert.equal('status' in r && r.status, 400, bad);
    }
    const xff = await http(imds.url, 'PUT', '/latest/api/token', {
      'x-aws-ec2-metadata-token-ttl-seconds': '60',
      'x-forwarded-for': '1.2.3.4',
    });
    assert.equal('status' in xff && xff.status, 403);
    const tok = await http(imds.url, 'PUT', '/latest/api/token', {
      'x-aws-ec2-metadata-token-ttl-seconds': '21600',
    });
    assert.ok('status' in tok && tok.status === 200);
    assert.equal(tok.headers['x-aws-ec2-metadata-token-ttl-seconds'], '21600');
    const h = { 'x-aws-ec2-metadata-token': tok.body };
    const id = await http(imds.url, 'GET', '/latest/meta-data/instance-id', h);
    assert.deepEqual('status' in id && [id.status, id.body], [200, identity.instanceId]);
    const bad = await http(imds.url, 'GET', '/latest/meta-data/instance-id', {
      'x-aws-ec2-metadata-token': 'forged',
    });
    assert.equal('status' in bad && bad.status, 401);
    const list = await http(imds.url, 'GET', '/latest/meta-data/', h);
    assert.ok('body' in list);
    for (const entry of ['iam/', 'instance-id', 'placement/', 'local-ipv4'])
      assert.ok(list.body.split('\n').includes(entry), entry);
    const region = await http(imds.url, 'GET', '/latest/meta-data/placement/region', h);
    assert.equal('body' in region && region.body, 'us-east-1');
    const az = await http(imds.url, 'GET', '/latest/meta-data/placement/availability-zone', h);
    assert.equal('body' in az && az.body, 'us-east-1a');
    const info = await http(imds.url, 'GET', '/latest/meta-data/iam/info', h);
    assert.ok('body' in info);
    assert.equal(
      JSON.parse(info.body).InstanceProfileArn,
      'arn:aws:iam::111122223333:instance-profile/irsakit-node',
    );
    const roles = await http(imds.url, 'GET', '/latest/meta-data/iam/security-credentials/', h);
    assert.equal('body' in roles && roles.body, 'irsakit-node-role');
    const creds = await http(
      imds.url,
      'GET',
      '/latest/meta-data/iam/security-credentials/irsakit-node-role',
      h,
    );
    assert.ok('body' in creds);
    assert.match(creds.body, /^\{\n {2}"Code" : "Success",\n/);
    const c = JSON.parse(creds.body);
    assert.deepEqual(Object.keys(c), [
      'Code',
      'LastUpdated',
      'Type',
      'AccessKeyId',
      'SecretAccessKey',
      'Token',
      'Expiration',
    ]);
    assert.equal(c.AccessKeyId, 'ASIANODEROLE00000001');
    assert.match(c.Expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const doc = await http(imds.url, 'GET', '/latest/dynamic/instance-identity/document', h);
    assert.ok('body' in doc);
    assert.equal(JSON.parse(doc.body).instanceId, identity.instanceId);
    const nf = await http(imds.url, 'GET', '/latest/meta-data/nothing-here', h);
    assert.equal('status' in nf && nf.status, 404);
    await http(imds.url, 'GET', '/latest/meta-data/iam/security-credentials/irsakit-node-role', h);
    assert.equal(calls, 1, 'credentials are cached until near expiry');
  });

  it('IMDSv1 works while tokens are optional and is refused (401) when required', async () => {
    options = { ...DEFAULT_METADATA_OPTIONS };
    const v1 = await http(podUrl, 'GET', '/latest/meta-data/iam/security-credentials/');
    assert.equal('status' in v1 && v1.status, 200);
    options = { ...options, HttpTokens: 'required' };
    const v1r = await http(podUrl, 'GET', '/latest/meta-data/iam/security-credentials/');
    assert.equal('status' in v1r && v1r.status, 401);
  });

  it('hop limit 1: the token response never reaches a pod, while the node gets it', async () => {
    options = { HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' };
    const pod = await http(podUrl, 'PUT', '/latest/api/token', {
      'x-aws-ec2-metadata-token-ttl-seconds': '60',
    });
    assert.ok('dropped' in pod, JSON.stringify(pod));
    const node = await http(imds.url, 'PUT', '/latest/api/token', {
      'x-aws-ec2-metadata-token-ttl-seconds': '60',
    });
    assert.equal('status' in node && node.status, 200);
    options = { ...options, HttpPutResponseHopLimit: 2 };
    const pod2 = await http(podUrl, 'PUT', '/latest/api/token', {
      'x-aws-ec2-metadata-token-ttl-seconds': '60',
    });
    assert.equal('status' in pod2 && pod2.status, 200);
    const recent = imds.recent();
    assert.ok(recent.some((r) => r.caller.kind === 'pod' && r.status === 0 && r.version === 'token'));
  });

  it('HttpEndpoint disabled answers nothing useful', async () => {
    options = { ...DEFAULT_METADATA_OPTIONS, HttpEndpoint: 'disabled' };
    const r = await http(imds.url, 'GET', '/latest/meta-data/');
    assert.equal('status' in r && r.status, 403);
    options = DEFAULT_METADATA_OPTIONS;
  });

  it('the AWS SDK for JavaScript v3 gets the node credentials from the pod address, v2 and v1 fallback', async () => {
    options = DEFAULT_METADATA_OPTIONS;
    // The provider reads the endpoint from the environment, as in a pod.
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = podUrl;
    try {
      const creds = await fromInstanceMetadata()();
      assert.equal(creds.accessKeyId, 'ASIANODEROLE00000001');
      options = { HttpTokens: 'optional', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' };
      const v1 = await fromInstanceMetadata()();
      assert.equal(v1.accessKeyId, 'ASIANODEROLE00000001', 'hop limit 1 does not stop IMDSv1');
      options = { HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' };
      await assert.rejects(fromInstanceMetadata()());
    } finally {
      delete process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
      options = DEFAULT_METADATA_OPTIONS;
    }
  });
});

describe('metadata options', () => {
  it('validates as ModifyInstanceMetadataOptions', () => {
    const ok = validateMetadataOptions(DEFAULT_METADATA_OPTIONS, {
      HttpTokens: 'required',
      HttpPutResponseHopLimit: '1',
    });
    assert.deepEqual(ok, {
      ok: true,
      options: { HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' },
    });
    const bad = validateMetadataOptions(DEFAULT_METADATA_OPTIONS, {
      HttpTokens: 'sometimes',
      HttpPutResponseHopLimit: 65,
      HttpEndpoint: 'on',
    });
    assert.equal(bad.ok, false);
    assert.equal(!bad.ok && bad.problems.length, 3);
  });
});
