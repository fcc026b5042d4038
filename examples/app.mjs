// The application inside the pod. It holds no key: the AWS SDK's default credential chain finds
// AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE (injected by the pod identity webhook), reads the projected
// token and calls STS AssumeRoleWithWebIdentity itself. The same file runs unchanged in EKS; under irsakit,
// AWS_ENDPOINT_URL (set by the kubelet) points the SDK at the local endpoint.
//
// It prints one JSON object per line, so people and tools can read what happened:
//   sts-call     the AssumeRoleWithWebIdentity call the SDK made (from the SDK's own logger; secrets redacted)
//   credentials  the temporary credentials: ASIA… key id, expiry, the secret shown only in part
//   identity     GetCallerIdentity: who AWS thinks this pod is
//   list / get   reading the bucket; read-denied when AWS refuses
//   put / put-denied  a write, which the least-privilege policy does not allow
//   error        no credentials at all (the SDK's error, exactly as it reports it)
//
// Environment: BUCKET (default irsa-demo-bucket), AWS_REGION, INTERVAL_SECONDS (0 = run once and exit,
// the default; otherwise repeat, like a worker). `--once` runs once whatever INTERVAL_SECONDS says.
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

const bucket = process.env.BUCKET ?? 'irsa-demo-bucket';
const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
const interval = process.argv.includes('--once') ? 0 : Number(process.env.INTERVAL_SECONDS ?? 0);
const report = (step, data) => console.log(JSON.stringify({ step, ...data }));
const partial = (secret) => (secret ? `${secret.slice(0, 4)}…(${secret.length} characters)` : undefined);

// The SDK logs every call it makes at info level (error level when it fails), with sensitive fields already
// redacted. The credential provider's own STS client inherits this logger, so its AssumeRoleWithWebIdentity
// call shows up here too.
const stsCalls = [];
const capture = (entry) => {
  if (entry && typeof entry === 'object' && String(entry.commandName).startsWith('AssumeRoleWith'))
    stsCalls.push(entry);
};
const logger = { trace() {}, debug() {}, info: capture, warn() {}, error: capture };

async function round() {
  stsCalls.length = 0;
  const sts = new STSClient({ region, logger });
  let me;
  try {
    me = await sts.send(new GetCallerIdentityCommand({}));
  } catch (err) {
    for (const call of stsCalls) report('sts-call', summarizeCall(call));
    report('error', { name: err.name, message: err.message });
    return false;
  }
  for (const call of stsCalls) report('sts-call', summarizeCall(call));
  const creds = await sts.config.credentials();
  report('credentials', {
    accessKeyId: creds.accessKeyId,
    secretAccessKey: partial(creds.secretAccessKey),
    sessionToken: creds.sessionToken ? `${creds.sessionToken.length} characters` : undefined,
    expiration: creds.expiration?.toISOString(),
    // Which link of the default chain produced them (the SDK records it on the credentials it returns).
    source: Object.keys(creds.$source ?? {}),
  });
  report('identity', { arn: me.Arn, account: me.Account, userId: me.UserId });

  // One session for the whole round: the S3 client uses the credentials the STS client already resolved
  // (each client would otherwise run the chain, and AssumeRoleWithWebIdentity, on its own).
  const s3 = new S3Client({ region, forcePathStyle: true, credentials: sts.config.credentials });
  try {
    const list = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    const keys = (list.Contents ?? []).map((o) => o.Key);
    report('list', { bucket, keys });
    if (keys[0]) {
      const obj = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: keys[0] }));
      report('get', { key: keys[0], body: await obj.Body.transformToString() });
    }
  } catch (err) {
    report('read-denied', { name: err.name, message: err.message });
  }
  try {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'written-by-pod.txt', Body: 'hello' }));
    report('put', { key: 'written-by-pod.txt' });
  } catch (err) {
    report('put-denied', { name: err.name, message: err.message });
  }
  return true;
}

function summarizeCall(entry) {
  const out = { command: entry.commandName, input: entry.input };
  if (entry.output) {
    // The SDK redacts the secret key but not the session token; show its length only.
    const c = entry.output.Credentials;
    out.output = c?.SessionToken
      ? { ...entry.output, Credentials: { ...c, SessionToken: `${c.SessionToken.length} characters` } }
      : entry.output;
  }
  if (entry.error) out.error = { name: entry.error.name, message: entry.error.message };
  if (entry.metadata?.httpStatusCode) out.httpStatusCode = entry.metadata.httpStatusCode;
  return out;
}

for (;;) {
  const ok = await round();
  report('done', { ok });
  if (!(interval > 0)) {
    process.exitCode = ok ? 0 : 1;
    break;
  }
  await new Promise((r) => setTimeout(r, interval * 1000));
}
