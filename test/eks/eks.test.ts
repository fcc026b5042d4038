import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  DescribeClusterCommand,
  EKSClient,
  ListClustersCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-eks';
import { tempDir } from '../helpers/tmp.js';
import {
  ADMIN,
  clientConfig,
  LOCAL_CLUSTER,
  REGION,
  startEndpoint,
  type TestEndpoint,
} from '../iam/helpers.js';

function hasAwsCli(): boolean {
  return spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;
}

describe('EKS through @aws-sdk/client-eks', () => {
  let ep: TestEndpoint;
  let eks: EKSClient;

  before(async () => {
    ep = await startEndpoint();
    eks = new EKSClient(clientConfig(ep));
  });
  after(async () => {
    eks.destroy();
    await ep.close();
  });

  it('describes the local cluster with its OIDC issuer and CA', async () => {
    const { cluster } = await eks.send(new DescribeClusterCommand({ name: 'local' }));
    assert.equal(cluster?.name, 'local');
    assert.equal(cluster?.arn, LOCAL_CLUSTER.arn);
    assert.equal(cluster?.status, 'ACTIVE');
    assert.equal(cluster?.version, '1.31');
    assert.equal(cluster?.identity?.oidc?.issuer, LOCAL_CLUSTER.issuerUrl);
    assert.equal(cluster?.endpoint, 'https://127.0.0.1:6443');
    assert.equal(
      Buffer.from(cluster?.certificateAuthority?.data ?? '', 'base64').toString('utf8'),
      LOCAL_CLUSTER.caCertificatePem,
    );
    assert.equal(cluster?.createdAt?.getTime(), LOCAL_CLUSTER.createdAt);
  });

  it('lists clusters', async () => {
    const out = await eks.send(new ListClustersCommand({}));
    assert.deepEqual(out.clusters, ['local']);
  });

  it('answers ResourceNotFoundException (404) for an unknown cluster', async () => {
    await assert.rejects(eks.send(new DescribeClusterCommand({ name: 'nope' })), (err: unknown) => {
      assert.ok(err instanceof ResourceNotFoundException);
      assert.equal(err.$metadata.httpStatusCode, 404);
      assert.equal(err.message, 'No cluster found for name: nope.');
      return true;
    });
  });

  it('prints the issuer with `aws eks describe-cluster --query cluster.identity.oidc.issuer`', {
    skip: !hasAwsCli() && 'no aws CLI',
  }, async () => {
    const home = tempDir();
    try {
      // Asynchronous: the endpoint answers from this very process.
      const res = await promisify(execFile)(
        'aws',
        [
          'eks',
          'describe-cluster',
          '--name',
          'local',
          '--query',
          'cluster.identity.oidc.issuer',
          '--output',
          'text',
          '--endpoint-url',
          ep.url,
        ],
        {
          env: {
            PATH: process.env.PATH,
            HOME: home.dir,
            AWS_ACCESS_KEY_ID: ADMIN.accessKeyId,
            AWS_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
            AWS_DEFAULT_REGION: REGION,
            AWS_CONFIG_FILE: `${home.dir}/config`,
            AWS_SHARED_CREDENTIALS_FILE: `${home.dir}/credentials`,
          },
        },
      );
      assert.equal(res.stdout.trim(), LOCAL_CLUSTER.issuerUrl);
    } finally {
      home.cleanup();
    }
  });
});
