// Policy evaluation speed for the typical IRSA request (CONTRIBUTING.md, Benchmarks): a role session, one identity
// policy of three statements with conditions, a permissions boundary, two SCP levels and a two-statement bucket
// policy; trace off. Then how evaluation time grows with the number of statements.
import {
  type EvaluationInput,
  evaluate,
  type NamedPolicy,
  type PolicyKind,
  parsePolicy,
} from '../src/policy/index.js';

const TARGET = 250_000;
/** iam-simulate's core engine on this case, measured in the research notes (../shared/research/iam.md §4.6). */
const PEER = 6_000;
const A = '111122223333';
const ROLE = `arn:aws:iam::${A}:role/app-irsa`;

function compile(name: string, kind: PolicyKind, doc: unknown): NamedPolicy {
  const r = parsePolicy(JSON.stringify(doc), { kind, name });
  if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
  return { name, policy: r.policy };
}

const identity = compile('app', 'identity', {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'ListOwnPrefix',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: 'arn:aws:s3:::app-data',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
      Condition: { StringLike: { 's3:prefix': ['tenants/${aws:PrincipalTag/tenant}/*', ''] } },
    },
    {
      Sid: 'RWOwnObjects',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: 'arn:aws:s3:::app-data/tenants/*',
      Condition: {
        StringEquals: { 'aws:RequestedRegion': 'us-east-1' },
        Bool: { 'aws:SecureTransport': 'true' },
      },
    },
    { Sid: 'NoDelete', Effect: 'Deny', Action: 's3:DeleteObject*', Resource: '*' },
  ],
});
const boundary = compile('pb', 'boundary', {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:*', 'sts:GetCallerIdentity'], Resource: '*' }],
});
const full = compile('FullAWSAccess', 'scp', {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});
const regionGuard = compile('region-guard', 'scp', {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Deny',
      NotAction: ['iam:*', 'sts:*'],
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } },
    },
  ],
});
const bucket = compile('app-data-policy', 'resource', {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'DenyInsecure',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: ['arn:aws:s3:::app-data', 'arn:aws:s3:::app-data/*'],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
    {
      Sid: 'AllowRole',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${A}:root` },
      Action: ['s3:GetObject', 's3:PutObject', 's3:ListBucket'],
      Resource: ['arn:aws:s3:::app-data', 'arn:aws:s3:::app-data/*'],
      Condition: { ArnEquals: { 'aws:PrincipalArn': ROLE } },
    },
  ],
});

const input: EvaluationInput = {
  request: {
    principal: {
      arn: `arn:aws:sts::${A}:assumed-role/app-irsa/botocore-session-1727000000`,
      accountId: A,
      type: 'AssumedRole',
      roleArn: ROLE,
      userId: 'AROAEXAMPLEID:botocore-session-1727000000',
      tags: { tenant: 'acme' },
    },
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::app-data/tenants/acme/report.csv',
    resourceAccount: A,
    context: {
      'aws:SecureTransport': 'true',
      'aws:RequestedRegion': 'us-east-1',
      'aws:SourceIp': '203.0.113.7',
    },
  },
  identityPolicies: [identity],
  permissionsBoundary: boundary,
  scps: [[full], [full, regionGuard]],
  resourcePolicy: bucket,
};

function rate(fn: () => unknown, minMs = 1500): { perSec: number; usPerOp: number } {
  for (let i = 0; i < 20_000; i++) fn();
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < 10_000; i++) fn();
    n += 10_000;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  const perSec = (n / elapsed) * 1000;
  return { perSec, usPerOp: 1000 / (perSec / 1000) };
}

const check = evaluate(input);
if (check.decision !== 'Allow') throw new Error(`bench case should be allowed: ${check.reason}`);

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const main = rate(() => evaluate(input));
console.log(
  `policy evaluate, IRSA case, trace off: ${fmt(main.perSec)} evals/s, ${main.usPerOp.toFixed(2)} µs each (target: ≥ ${fmt(TARGET)} evals/s) ${main.perSec >= TARGET ? 'OK' : 'BELOW TARGET'}`,
);
console.log(
  `  peer: @cloud-copilot/iam-simulate core ≈ ${fmt(PEER)} evals/s on this case; ratio ${(main.perSec / PEER).toFixed(0)}×`,
);
const deny = { ...input, request: { ...input.request, action: 's3:DeleteObject' } };
const d = rate(() => evaluate(deny), 700);
console.log(`policy evaluate, IRSA case, explicit deny: ${fmt(d.perSec)} evals/s`);
const implicit = { ...input, request: { ...input.request, resource: 'arn:aws:s3:::other/x' } };
const im = rate(() => evaluate(implicit), 700);
console.log(`policy evaluate, IRSA case, implicit deny with near misses: ${fmt(im.perSec)} evals/s`);
const traced = rate(() => evaluate(input, { trace: true }), 700);
console.log(`policy evaluate, IRSA case, trace on: ${fmt(traced.perSec)} evals/s`);

// Growth with the number of identity statements: half for other services (skipped by the service index), half
// S3 statements on other buckets with a condition (checked and rejected), then the allow for the request.
for (const n of [10, 100, 1000]) {
  const statements: unknown[] = [];
  for (let i = 0; i < n - 1; i++) {
    statements.push(
      i % 2 === 0
        ? { Effect: 'Allow', Action: [`ec2:Describe${i}*`, 'sqs:SendMessage'], Resource: '*' }
        : {
            Effect: 'Allow',
            Action: 's3:GetObject',
            Resource: `arn:aws:s3:::bucket-${i}/*`,
            Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } },
          },
    );
  }
  statements.push({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::app-data/*' });
  const big = compile(`big-${n}`, 'identity', { Version: '2012-10-17', Statement: statements });
  const bigInput = { ...input, identityPolicies: [big] };
  const r = rate(() => evaluate(bigInput), 500);
  console.log(
    `policy evaluate, ${n} identity statements: ${fmt(r.perSec)} evals/s, ${r.usPerOp.toFixed(2)} µs each`,
  );
}

const compileRate = rate(() => parsePolicy(bucket.policy.text, { kind: 'resource' }), 500);
console.log(`policy parse+compile, 2-statement bucket policy: ${fmt(compileRate.perSec)} policies/s`);
