import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import type fastJsonPatch from 'fast-json-patch';
import { parse } from 'yaml';
import {
  mutate,
  type Pod,
  resolveWebhookConfig,
  type ServiceAccount,
  type WebhookConfigInput,
} from '../../src/webhook/index.js';
import { type Difference, diff, normalize, patchPod } from './helpers/pods.js';

/**
 * The reference webhook's own fixtures (aws/amazon-eks-pod-identity-webhook pkg/handler/testdata), read in place.
 * Each pod carries its settings in testing.eks.amazonaws.com/* annotations and the reference's patch in
 * testing.eks.amazonaws.com/expectedPatch. Both patches are applied and the resulting pods compared; where irsakit
 * deliberately does better, the exact differences are listed in fixtures/reference-differences.json.
 */
const root = join(import.meta.dirname, '..', '..', '..', 'shared', 'conformance', 'webhook');
const T = 'testing.eks.amazonaws.com';

interface KnownDifference {
  fixture: string;
  why: string;
  differences: Difference[];
}
const known = new Map(
  (
    JSON.parse(
      readFileSync(join(import.meta.dirname, 'fixtures', 'reference-differences.json'), 'utf8'),
    ) as KnownDifference[]
  ).map((k) => [k.fixture, k]),
);

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? walk(p) : /\.ya?ml$/.test(n) ? [p] : [];
    });
}

/** Rebuilds the reference harness's environment (handler_pod_test.go) from a fixture's test annotations. */
function environment(pod: Pod): { sa: ServiceAccount; config: WebhookConfigInput } {
  const a = pod.metadata?.annotations ?? {};
  const saAnn: Record<string, string> = {};
  const copy = (from: string, to: string) => {
    if (a[from] !== undefined) saAnn[`eks.amazonaws.com/${to}`] = a[from];
  };
  // The harness maps handler/* "flags" onto the fake SA too; the serviceAccount/* key wins when both exist.
  copy(`${T}/handler/injectSTS`, 'sts-regional-endpoints');
  copy(`${T}/handler/expiration`, 'token-expiration');
  copy(`${T}/serviceAccount/roleArn`, 'role-arn');
  copy(`${T}/serviceAccount/audience`, 'audience');
  copy(`${T}/serviceAccount/sts-regional-endpoints`, 'sts-regional-endpoints');
  copy(`${T}/serviceAccount/token-expiration`, 'token-expiration');
  const config: WebhookConfigInput = {};
  if (a[`${T}/handler/region`]) config.region = a[`${T}/handler/region`];
  if (a[`${T}/handler/mountPath`]) config.mountPath = a[`${T}/handler/mountPath`];
  const cc = (k: string) => a[`${T}/containercredentials/${k}`];
  if (cc('uri')) {
    config.podIdentity = {
      associations: ['default/default'],
      fullUri: cc('uri')!,
      ...(cc('audience') !== undefined ? { audience: cc('audience')! } : {}),
      ...(cc('mountPath') !== undefined ? { mountPath: cc('mountPath')! } : {}),
      ...(cc('volumeName') !== undefined ? { volumeName: cc('volumeName')! } : {}),
      ...(cc('tokenPath') !== undefined ? { tokenPath: cc('tokenPath')! } : {}),
    };
  }
  return { sa: { metadata: { name: 'default', namespace: 'default', annotations: saAnn } }, config };
}

const files = walk(root);

describe('conformance with the reference webhook fixtures (../shared/conformance/webhook)', () => {
  test('the fixtures are there (24: 18 IRSA, 6 Pod Identity)', () => {
    assert.equal(files.length, 24);
  });

  for (const file of files) {
    const name = relative(root, file).replace(/\.pod\.ya?ml$/, '');
    // rawPodWithInitContainer repeats serviceAccountName (same value); Go's decoder keeps the last, as here.
    const pod = parse(readFileSync(file, 'utf8'), { uniqueKeys: false }) as Pod;
    const annotations = pod.metadata?.annotations ?? {};
    if (annotations[`${T}/skip`] === 'true') continue;
    test(name, () => {
      // The harness forces these, as the API server would have defaulted them.
      pod.metadata = { ...pod.metadata, namespace: 'default' };
      pod.spec = { ...pod.spec, serviceAccountName: 'default' };
      const { sa, config } = environment(pod);
      const result = mutate(pod, sa, resolveWebhookConfig(config), {
        namespace: 'default',
        random: (n) => Buffer.alloc(n),
      });
      const expectedPatch = JSON.parse(
        annotations[`${T}/expectedPatch`] ?? '[]',
      ) as fastJsonPatch.Operation[];
      const reference = normalize(patchPod(pod, expectedPatch));
      const ours = normalize(patchPod(pod, result.decision === 'patch' ? result.patch : []));
      const differences = diff(reference, ours);
      const allowed = known.get(name);
      assert.deepEqual(differences, allowed?.differences ?? [], allowed ? allowed.why : 'pods differ');
    });
  }

  test('every known difference names a fixture that exists', () => {
    const names = new Set(files.map((f) => relative(root, f).replace(/\.pod\.ya?ml$/, '')));
    for (const k of known.keys()) assert.ok(names.has(k), k);
  });
});
