import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { parseFlags } from '../../src/cli/command.js';
import { WEBHOOK_SERVE_FLAGS } from '../../src/cli/commands/webhook-serve.js';

const repo = join(import.meta.dirname, '..', '..');
const deployDir = join(repo, 'deploy');
// biome-ignore lint/suspicious/noExplicitAny: manifests are walked as loose YAML; each test asserts the shape it reads.
type Obj = Record<string, any>;
const docs: Obj[] = readdirSync(deployDir)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => parseAllDocuments(readFileSync(join(deployDir, f), 'utf8')).map((d) => d.toJS() as Obj));
const find = (kind: string) => docs.filter((d) => d.kind === kind);

describe('deploy/ manifests', () => {
  test('every object the issue lists is there, in namespace irsakit', () => {
    for (const kind of [
      'Namespace',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Deployment',
      'PodDisruptionBudget',
      'Service',
      'MutatingWebhookConfiguration',
    ]) {
      assert.equal(find(kind).length, 1, kind);
    }
    for (const d of docs) {
      if (
        !['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'MutatingWebhookConfiguration'].includes(d.kind)
      ) {
        assert.equal(d.metadata.namespace, 'irsakit', `${d.kind} ${d.metadata.name}`);
      }
    }
  });

  test('RBAC grants get/list/watch on serviceaccounts and nothing else', () => {
    assert.deepEqual(find('ClusterRole')[0]!.rules, [
      { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get', 'list', 'watch'] },
    ]);
    assert.deepEqual(find('ClusterRoleBinding')[0]!.subjects, [
      { kind: 'ServiceAccount', name: 'irsakit-webhook', namespace: 'irsakit' },
    ]);
  });

  test('the webhook configuration: Ignore, no side effects, a timeout, the skip label, CREATE pods, both versions', () => {
    const [w] = find('MutatingWebhookConfiguration')[0]!.webhooks;
    assert.equal(w.failurePolicy, 'Ignore');
    assert.equal(w.sideEffects, 'None');
    assert.ok(w.timeoutSeconds >= 1 && w.timeoutSeconds <= 30);
    assert.deepEqual(w.objectSelector.matchExpressions, [
      { key: 'eks.amazonaws.com/skip-pod-identity-webhook', operator: 'DoesNotExist' },
    ]);
    assert.deepEqual(w.rules[0].operations, ['CREATE']);
    assert.deepEqual(w.rules[0].resources, ['pods']);
    assert.deepEqual(w.admissionReviewVersions, ['v1', 'v1beta1']);
    assert.equal(w.clientConfig.service.path, '/mutate');
    const svc = find('Service')[0]!;
    assert.equal(w.clientConfig.service.name, svc.metadata.name);
    assert.equal(w.clientConfig.service.port, svc.spec.ports[0].port);
  });

  test('two replicas, a PDB that keeps one, and the skip label on the webhook pods themselves', () => {
    const dep = find('Deployment')[0]!;
    assert.equal(dep.spec.replicas, 2);
    assert.equal(find('PodDisruptionBudget')[0]!.spec.minAvailable, 1);
    assert.deepEqual(find('PodDisruptionBudget')[0]!.spec.selector, dep.spec.selector);
    assert.equal(dep.spec.template.metadata.labels['eks.amazonaws.com/skip-pod-identity-webhook'], 'true');
    assert.equal(dep.spec.template.spec.serviceAccountName, find('ServiceAccount')[0]!.metadata.name);
  });

  test('the Deployment args and the Dockerfile CMD are valid `irsakit webhook serve` flags', () => {
    const args: string[] = find('Deployment')[0]!.spec.template.spec.containers[0].args;
    assert.deepEqual(args.slice(0, 2), ['webhook', 'serve']);
    parseFlags(args.slice(2), WEBHOOK_SERVE_FLAGS, 'test');
    const cmd = /^CMD (\[[^\]]*\])/ms.exec(readFileSync(join(repo, 'Dockerfile'), 'utf8'))?.[1];
    const cmdArgs = JSON.parse(cmd!.replace(/\\\n/g, '')) as string[];
    assert.deepEqual(cmdArgs.slice(0, 2), ['webhook', 'serve']);
    parseFlags(cmdArgs.slice(2), WEBHOOK_SERVE_FLAGS, 'test');
  });
});
