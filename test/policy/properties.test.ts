// Property tests over generated policies (a small seeded generator; no dependency). The properties are AWS's:
// an explicit deny always wins; an Allow added to an identity policy never removes access; a new SCP level, an
// RCP, a boundary or session policies where there were none only ever remove access
// (reference_policies_evaluation-logic_policy-eval-denyallow.html, access_policies_boundaries.html).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type EvaluationInput, evaluate, simulationInput } from '../../src/policy/index.js';

/** mulberry32: a tiny seeded PRNG, so every failure is reproducible from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const A = '111122223333';
const B = '444455556666';
const ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:ListBucket', 'sqs:SendMessage', 'ec2:RunInstances'];
const ACTION_PATTERNS = [
  '*',
  's3:*',
  's3:Get*',
  's3:GetObject',
  's3:PutObject',
  's3:List*',
  'sqs:*',
  'ec2:Run?nstances',
];
const RESOURCES = ['arn:aws:s3:::b', 'arn:aws:s3:::b/k', 'arn:aws:s3:::c/k', `arn:aws:sqs:us-east-1:${A}:q`];
const RESOURCE_PATTERNS = [
  '*',
  'arn:aws:s3:::b/*',
  'arn:aws:s3:::b',
  'arn:aws:s3:::*',
  'arn:aws:sqs:*:*:q',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
  'arn:aws:s3:::${aws:PrincipalTag/team}/*',
];
const CONDITIONS: unknown[] = [
  { StringEquals: { 'aws:PrincipalTag/team': 'b' } },
  { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } },
  { Bool: { 'aws:SecureTransport': 'true' } },
  { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
  { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
  { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] } },
  { 'ForAnyValue:StringLike': { 'aws:TagKeys': 'a*' } },
  { StringLikeIfExists: { 's3:prefix': 'home/*' } },
  { Null: { 'aws:SourceIp': 'true' } },
  { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${A}:role/*` } },
];
const PRINCIPALS = [
  '*',
  { AWS: `arn:aws:iam::${A}:role/app` },
  { AWS: A },
  { AWS: `arn:aws:sts::${A}:assumed-role/app/s` },
  { AWS: B },
];

function gen(seed: number) {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const chance = (p: number) => r() < p;
  const stmt = (withPrincipal: boolean, effect?: 'Allow' | 'Deny') => {
    const s: Record<string, unknown> = { Effect: effect ?? (chance(0.75) ? 'Allow' : 'Deny') };
    if (withPrincipal) s.Principal = pick(PRINCIPALS);
    s[chance(0.1) ? 'NotAction' : 'Action'] = chance(0.3)
      ? [pick(ACTION_PATTERNS), pick(ACTION_PATTERNS)]
      : pick(ACTION_PATTERNS);
    s[chance(0.1) ? 'NotResource' : 'Resource'] = pick(RESOURCE_PATTERNS);
    if (chance(0.4)) s.Condition = pick(CONDITIONS);
    return s;
  };
  const policy = (withPrincipal: boolean, n = 1 + Math.floor(r() * 3), effect?: 'Allow' | 'Deny') => ({
    Version: '2012-10-17',
    Statement: Array.from({ length: n }, () => stmt(withPrincipal, effect)),
  });
  const crossAccount = chance(0.2);
  const context: Record<string, string | string[]> = {};
  if (chance(0.5)) context['aws:SecureTransport'] = pick(['true', 'false']);
  if (chance(0.5)) context['aws:SourceIp'] = pick(['10.1.2.3', '192.0.2.1', '2001:db8::1']);
  if (chance(0.5)) context['aws:RequestedRegion'] = pick(['us-east-1', 'eu-west-1']);
  if (chance(0.5)) context['aws:TagKeys'] = pick([[], ['a'], ['a', 'b'], ['c']]);
  if (chance(0.3)) context['s3:prefix'] = pick(['home/x', 'tmp/']);
  const c: Record<string, unknown> = {
    request: {
      principal: {
        arn: crossAccount ? `arn:aws:sts::${B}:assumed-role/app/s` : `arn:aws:sts::${A}:assumed-role/app/s`,
        tags: chance(0.5) ? { team: pick(['b', 'c']) } : {},
      },
      action: pick(ACTIONS),
      resource: pick(RESOURCES),
      resourceAccount: A,
      context,
    },
    identityPolicies: Array.from({ length: Math.floor(r() * 3) }, () => policy(false)),
  };
  if (chance(0.3)) c.permissionsBoundary = policy(false);
  if (chance(0.3)) c.sessionPolicies = [policy(false)];
  if (chance(0.4)) c.scps = Array.from({ length: 1 + Math.floor(r() * 2) }, () => [policy(false)]);
  if (chance(0.3)) c.rcps = [[policy(true, 1, 'Deny')]];
  if (chance(0.6)) c.resourcePolicy = policy(true);
  return { c, policy, r, pick };
}

function run(c: Record<string, unknown>): { input: EvaluationInput; decision: string } {
  const sim = simulationInput(c);
  assert.ok(sim.ok, sim.ok ? '' : `${sim.field}: ${sim.message}`);
  return { input: sim.input, decision: evaluate(sim.input).decision };
}

const N = 600;
const denyAll = (withPrincipal: boolean) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', ...(withPrincipal ? { Principal: '*' } : {}), Action: '*', Resource: '*' }],
});

describe('properties over generated policies', () => {
  test('the generator produces every kind of decision', () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= N; seed++) seen.add(run(gen(seed).c).decision);
    assert.deepEqual([...seen].sort(), ['Allow', 'ExplicitDeny', 'ImplicitDeny']);
  });

  test('an explicit deny anywhere always wins', () => {
    for (let seed = 1; seed <= N; seed++) {
      const { c } = gen(seed);
      const where = seed % 5;
      const d = structuredClone(c);
      if (where === 0) d.identityPolicies = [...((d.identityPolicies as unknown[]) ?? []), denyAll(false)];
      if (where === 1) d.resourcePolicy = denyAll(true);
      if (where === 2) d.scps = [...((d.scps as unknown[][]) ?? []), [denyAll(false)]];
      if (where === 3) d.rcps = [...((d.rcps as unknown[][]) ?? []), [denyAll(true)]];
      if (where === 4) d.sessionPolicies = [...((d.sessionPolicies as unknown[]) ?? []), denyAll(false)];
      assert.equal(run(d).decision, 'ExplicitDeny', `seed ${seed}, deny in layer ${where}`);
    }
  });

  test('an explicit deny stays one whatever Allow is added', () => {
    for (let seed = 1; seed <= N; seed++) {
      const { c, policy } = gen(seed);
      if (run(c).decision !== 'ExplicitDeny') continue;
      const d = structuredClone(c);
      d.identityPolicies = [...((d.identityPolicies as unknown[]) ?? []), policy(false, 2, 'Allow')];
      d.resourcePolicy = c.resourcePolicy ?? policy(true, 1, 'Allow');
      assert.equal(run(d).decision, 'ExplicitDeny', `seed ${seed}`);
    }
  });

  test('adding an Allow to an identity policy never turns an Allow into a deny', () => {
    for (let seed = 1; seed <= N; seed++) {
      const { c, policy } = gen(seed);
      if (run(c).decision !== 'Allow') continue;
      const d = structuredClone(c);
      const ids = (d.identityPolicies as { Statement: unknown[] }[]) ?? [];
      if (ids.length > 0 && seed % 2 === 0) ids[0]!.Statement.push(policy(false, 1, 'Allow').Statement[0]);
      else d.identityPolicies = [...ids, policy(false, 2, 'Allow')];
      assert.equal(run(d).decision, 'Allow', `seed ${seed}`);
    }
  });

  test('a new SCP level, an RCP, a boundary or session policies never turn a deny into an Allow', () => {
    for (let seed = 1; seed <= N; seed++) {
      const { c, policy } = gen(seed);
      if (run(c).decision === 'Allow') continue;
      const variants: Record<string, unknown>[] = [];
      variants.push({ ...c, scps: [...((c.scps as unknown[][]) ?? []), [policy(false)]] });
      variants.push({ ...c, rcps: [...((c.rcps as unknown[][]) ?? []), [policy(true, 1, 'Deny')]] });
      if (!c.permissionsBoundary) variants.push({ ...c, permissionsBoundary: policy(false) });
      if (!c.sessionPolicies) variants.push({ ...c, sessionPolicies: [policy(false), policy(false)] });
      for (const [i, v] of variants.entries()) {
        assert.notEqual(run(v).decision, 'Allow', `seed ${seed}, variant ${i}`);
      }
    }
  });

  test('the trace never changes the decision', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const { input, decision } = run(gen(seed).c);
      const traced = evaluate(input, { trace: true });
      assert.equal(traced.decision, decision);
      assert.deepEqual({ ...traced, trace: undefined }, { ...evaluate(input), trace: undefined });
    }
  });
});
