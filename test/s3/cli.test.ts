import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ADMIN, REGION, startS3, type TestS3 } from './helpers/server.js';

const run = promisify(execFile);

async function has(cmd: string, args: string[]): Promise<boolean> {
  try {
    await run(cmd, args);
    return true;
  } catch {
    return false;
  }
}

describe('S3 with the AWS CLI and boto3', async () => {
  const haveAws = await has('aws', ['--version']);
  const haveBoto3 = await has('python3', ['-c', 'import boto3']);
  let s3: TestS3;
  const dir = mkdtempSync(join(tmpdir(), 'irsakit-'));
  let env: NodeJS.ProcessEnv;
  before(async () => {
    s3 = await startS3(join(dir, 'data'));
    // A private HOME: the CLI caches credentials and reads config there.
    env = {
      PATH: process.env.PATH,
      HOME: dir,
      AWS_ACCESS_KEY_ID: ADMIN.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
      AWS_DEFAULT_REGION: REGION,
      AWS_EC2_METADATA_DISABLED: 'true',
    };
  });
  after(async () => {
    await s3.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('aws s3 cp/ls/sync and s3api, as admin and as a role session', {
    skip: !haveAws && 'the aws CLI is not installed (apt-get install awscli)',
  }, async () => {
    const aws = (args: string[], e = env) => run('aws', ['--endpoint-url', s3.url, ...args], { env: e });
    await aws(['s3', 'mb', 's3://cli-bucket']);
    const src = join(dir, 'src');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'a.txt'), 'alpha');
    writeFileSync(join(src, 'sub', 'b.txt'), 'beta');
    writeFileSync(join(dir, 'big.bin'), Buffer.alloc(12 * 1024 * 1024, 7));
    await aws(['s3', 'cp', join(dir, 'big.bin'), 's3://cli-bucket/big.bin']);
    await aws(['s3', 'sync', src, 's3://cli-bucket/synced']);
    const ls = await aws(['s3', 'ls', '--recursive', 's3://cli-bucket']);
    assert.match(ls.stdout, /synced\/a\.txt/);
    assert.match(ls.stdout, /synced\/sub\/b\.txt/);
    assert.match(ls.stdout, /big\.bin/);
    await aws(['s3', 'cp', 's3://cli-bucket/big.bin', join(dir, 'big.out')]);
    assert.equal(readFileSync(join(dir, 'big.out')).length, 12 * 1024 * 1024);
    const head = await aws(['s3api', 'head-object', '--bucket', 'cli-bucket', '--key', 'synced/a.txt']);
    assert.equal(JSON.parse(head.stdout).ContentLength, 5);

    // A role session allowed nothing: the CLI reports AWS's denial.
    const creds = s3.session();
    const sessionEnv = {
      ...env,
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
      AWS_SESSION_TOKEN: creds.sessionToken,
    };
    await assert.rejects(aws(['s3', 'ls', 's3://cli-bucket'], sessionEnv), (err: { stderr: string }) => {
      assert.match(err.stderr, /AccessDenied/);
      assert.match(
        err.stderr,
        /is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::cli-bucket"/,
      );
      return true;
    });
  });

  it('boto3 put/get/list', {
    skip: !haveBoto3 && 'python3-boto3 is not installed (apt-get install python3-boto3)',
  }, async () => {
    const script = `
import boto3, sys
s3 = boto3.client('s3', endpoint_url=sys.argv[1], region_name='${REGION}')
s3.create_bucket(Bucket='boto-bucket')
s3.put_object(Bucket='boto-bucket', Key='k/one', Body=b'hello boto')
print(s3.get_object(Bucket='boto-bucket', Key='k/one')['Body'].read().decode())
print(','.join(o['Key'] for o in s3.list_objects_v2(Bucket='boto-bucket', Prefix='k/')['Contents']))
s3.upload_fileobj(open(sys.argv[2], 'rb'), 'boto-bucket', 'k/big', Config=boto3.s3.transfer.TransferConfig(multipart_threshold=5*1024*1024, multipart_chunksize=5*1024*1024))
print(s3.head_object(Bucket='boto-bucket', Key='k/big')['ContentLength'])
`;
    writeFileSync(join(dir, 'b.py'), script);
    writeFileSync(join(dir, 'boto-big.bin'), Buffer.alloc(11 * 1024 * 1024, 1));
    const out = await run('python3', [join(dir, 'b.py'), s3.url, join(dir, 'boto-big.bin')], { env });
    assert.deepEqual(out.stdout.trim().split('\n'), ['hello boto', 'k/one', String(11 * 1024 * 1024)]);
  });
});
