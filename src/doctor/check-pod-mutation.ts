import type { Check } from './check-context.js';
import {
  annotationTime,
  envValue,
  hasEnv,
  irsaTokenProjection,
  labels,
  mutableContainers,
  ROLE_ARN_ANNOTATION,
  SKIP_WEBHOOK_LABEL,
  spec,
  TOKEN_DIR,
  time,
} from './kube.js';
import type { KubeObj } from './types.js';

const TITLE =
  'Pod mutation: every container has AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE and the token mount';

const iso = (ms: number) => new Date(ms).toISOString();

/** Does a label selector (matchLabels, matchExpressions) select these labels? */
export function selects(sel: Record<string, unknown> | undefined, l: Record<string, string>): boolean {
  if (!sel) return true;
  const ml = (sel.matchLabels ?? {}) as Record<string, string>;
  for (const [k, v] of Object.entries(ml)) if (l[k] !== v) return false;
  for (const e of (sel.matchExpressions ?? []) as { key: string; operator: string; values?: string[] }[]) {
    const has = e.key in l;
    const val = l[e.key];
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
    if (e.operator === 'In' && !(val !== undefined && (e.values ?? []).includes(val))) return false;
    if (e.operator === 'NotIn' && val !== undefined && (e.values ?? []).includes(val)) return false;
  }
  return true;
}

/** The pod identity webhook's registration, if exported: the configuration with a webhook named pod-identity… */
function podIdentityWebhook(configs: KubeObj[] | undefined): Record<string, unknown> | null | undefined {
  if (!configs) return undefined;
  for (const c of configs) {
    for (const w of (c.webhooks ?? []) as Record<string, unknown>[]) {
      if (
        String(w.name ?? '').startsWith('pod-identity-webhook') ||
        c.metadata?.name === 'pod-identity-webhook'
      )
        return w;
    }
  }
  return null;
}

export const checkPodMutation: Check = (snap, r) => {
  const base = { id: 'pod-mutation', title: TITLE } as const;
  if (!r.pod) return { ...base, status: 'skip', evidence: ['no pod given (--pod NAME)'] };
  if (!r.roleArnValue)
    return {
      ...base,
      status: 'skip',
      evidence: [`ServiceAccount ${r.saName} has no ${ROLE_ARN_ANNOTATION} to inject`],
    };
  const pod = r.pod;
  const { included, skipped } = mutableContainers(pod);
  const evidence: string[] = [];
  if (skipped.length)
    evidence.push(`containers skipped by eks.amazonaws.com/skip-containers: ${skipped.join(', ')}`);
  const missing: string[] = [];
  const stale: string[] = [];
  for (const c of included) {
    const gaps: string[] = [];
    if (!hasEnv(c, 'AWS_ROLE_ARN')) gaps.push('AWS_ROLE_ARN');
    if (!hasEnv(c, 'AWS_WEB_IDENTITY_TOKEN_FILE')) gaps.push('AWS_WEB_IDENTITY_TOKEN_FILE');
    if (!c.volumeMounts.some((m) => m.mountPath.replace(/\/+$/, '') === TOKEN_DIR))
      gaps.push(`the mount at ${TOKEN_DIR}`);
    if (gaps.length)
      missing.push(`${c.init ? 'init container' : 'container'} ${c.name} lacks ${gaps.join(', ')}`);
    const v = envValue(c, 'AWS_ROLE_ARN');
    if (v !== undefined && v !== r.roleArnValue)
      stale.push(`container ${c.name} has AWS_ROLE_ARN=${v}, the annotation now says ${r.roleArnValue}`);
  }
  const projection = irsaTokenProjection(pod);
  if (!projection) missing.push('the pod has no aws-iam-token projected volume');
  const restart = `kubectl delete pod -n ${r.namespace} ${r.podName}   # or: kubectl rollout restart deployment -n ${r.namespace} NAME`;
  if (!missing.length && !stale.length) {
    evidence.push(
      `${included.length} container(s) carry AWS_ROLE_ARN=${r.roleArnValue}, AWS_WEB_IDENTITY_TOKEN_FILE and the ${projection?.volume} mount`,
    );
    return { ...base, status: 'pass', evidence };
  }
  evidence.push(...missing, ...stale);

  // Why: the webhook only sees CREATE (it never mutates existing pods), can be opted out of by label, and with
  // failurePolicy Ignore admits pods unmutated when it is down (audit F6, F7).
  const causes: { cause: string; text: string }[] = [];
  const podCreated = time(pod.metadata?.creationTimestamp);
  const annotated = r.sa ? annotationTime(r.sa, ROLE_ARN_ANNOTATION) : undefined;
  const podLabels = labels(pod);
  if (SKIP_WEBHOOK_LABEL in podLabels) {
    causes.push({
      cause: 'skipped-by-label',
      text: `the pod has the label ${SKIP_WEBHOOK_LABEL}, so the webhook is not called for it`,
    });
  }
  const hook = podIdentityWebhook(snap.webhook.configurations);
  if (
    hook &&
    !selects(hook.objectSelector as Record<string, unknown> | undefined, podLabels) &&
    !(SKIP_WEBHOOK_LABEL in podLabels)
  ) {
    causes.push({
      cause: 'skipped-by-label',
      text: `the webhook's objectSelector ${JSON.stringify(hook.objectSelector)} does not select the pod's labels`,
    });
  }
  if (stale.length || (podCreated !== undefined && annotated && podCreated < annotated.at)) {
    causes.push({
      cause: 'pod-before-annotation',
      text:
        podCreated !== undefined && annotated
          ? `the pod was created at ${iso(podCreated)}, before the annotation (${annotated.how === 'managedFields' ? 'written' : 'ServiceAccount created'} at ${iso(annotated.at)}); the webhook only mutates pods at creation`
          : 'the annotation changed after the pod was created; the webhook only mutates pods at creation',
    });
  }
  if (spec(pod).hostNetwork === true) {
    causes.push({
      cause: 'host-network',
      text: 'the pod sets hostNetwork: true, which webhook deployments commonly exclude from mutation',
    });
  }
  if (!causes.length) {
    if (hook === null)
      causes.push({
        cause: 'webhook-down',
        text: 'no MutatingWebhookConfiguration registers the pod identity webhook',
      });
    else if (snap.webhook.healthy === false) {
      causes.push({
        cause: 'webhook-down',
        text: `the pod identity webhook is down${snap.webhook.detail ? ` (${snap.webhook.detail})` : ''}`,
      });
    } else {
      const policy = hook ? String(hook.failurePolicy ?? 'Fail') : 'Ignore';
      causes.push({
        cause: 'webhook-down',
        text: `the pod was created after the annotation, yet not mutated: the webhook was down or unreachable when it was admitted${policy === 'Ignore' ? ' (failurePolicy: Ignore admits the pod silently)' : ''}`,
      });
    }
  }
  evidence.push(...causes.map((c) => `why: ${c.text}`));
  const first = causes[0]!.cause;
  const fix =
    first === 'skipped-by-label'
      ? {
          summary: `remove the opt-out label, then recreate the pod`,
          command: `kubectl label pod -n ${r.namespace} ${r.podName} ${SKIP_WEBHOOK_LABEL}- && ${restart}`,
        }
      : first === 'webhook-down'
        ? {
            summary: 'bring the webhook back (check its pods/endpoint and caBundle), then recreate the pod',
            command: `kubectl get mutatingwebhookconfiguration pod-identity-webhook -o yaml && ${restart}`,
          }
        : { summary: 'recreate the pod so that the webhook mutates it', command: restart };
  return { ...base, status: 'fail', evidence, fix, data: { causes: causes.map((c) => c.cause) } };
};
