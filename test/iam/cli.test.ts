import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/tmp.js';
import { ACCOUNT, ADMIN, REGION, startEndpoint, type TestEndpoint, webIdentityTrust } from './helpers.js';

const hasCli = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;

describe('IAM through the AWS CLI', { skip: !hasCli && 'no aws CLI' }, () => {
  const home = tempDir();
  let ep: TestEndpoint;

  before(async () => {
    ep = await startEndpoint();
  });
  after(async () => {
    await ep.close();
    home.cleanup();
  });

  // Asynchronous: the endpoint answers from this very process.
  const aws = async (...args: string[]) => {
    const { stdout } = await promisify(execFile)(
      'aws',
      [...args, '--endpoint-url', ep.url, '--output', 'json'],
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
    return JSON.parse(stdout) as Record<string, Record<string, unknown>>;
  };

  it('creates a role and shows its trust policy decoded (botocore URL-decodes IAM documents)', async () => {
    const trust = webIdentityTrust('oidc.example.local/id/ABC');
    const created = await aws(
      'iam',
      'create-role',
      '--role-name',
      'cli-role',
      '--assume-role-policy-document',
      trust,
    );
    assert.equal(created.Role?.Arn, `arn:aws:iam::${ACCOUNT}:role/cli-role`);
    const got = await aws('iam', 'get-role', '--role-name', 'cli-role');
    assert.deepEqual(got.Role?.AssumeRolePolicyDocument, JSON.parse(trust));
  });

  it('reports errors the way the CLI prints them', async () => {
    await assert.rejects(aws('iam', 'get-role', '--role-name', 'missing'), (err: { stderr?: string }) => {
      assert.match(
        err.stderr ?? '',
        /An error occurred \(NoSuchEntity\) when calling the GetRole operation: The role with name missing cannot be found\./,
      );
      return true;
    });
  });
});
