import { mutate } from './mutate.js';
import type { MutationResult, Pod, ServiceAccountSource, WebhookConfig } from './types.js';

export const ADMISSION_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const;

export interface AdmissionDeps {
  readonly source: ServiceAccountSource;
  readonly config: WebhookConfig;
  readonly random?: (n: number) => Buffer;
}

export interface AdmissionResponse {
  uid: string;
  allowed: true;
  patchType?: 'JSONPatch';
  /** base64 of the JSON Patch array. */
  patch?: string;
  warnings?: string[];
}

export interface AdmissionReviewResponse {
  apiVersion: string;
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

/**
 * What to send back: `status` 200 with an AdmissionReview, or a 4xx/5xx with a plain-text `error`. A 4xx
 * means the review itself is malformed (the API server never sends one); a 5xx means the ServiceAccount
 * source failed, and the configuration's failurePolicy decides what happens to the pod.
 */
export type AdmissionOutcome =
  | {
      readonly status: 200;
      readonly review: AdmissionReviewResponse;
      readonly result: MutationResult | { decision: 'none'; reason: 'not-a-pod' | 'not-create' };
      readonly namespace: string;
      readonly name: string;
    }
  | { readonly status: 400 | 500; readonly error: string; readonly kind: string };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Handles one AdmissionReview (`admission.k8s.io/v1` or `v1beta1`), given as a parsed value or as raw JSON
 * text. The response echoes the request's apiVersion and kind (reference issues #225, #205, #132: without them
 * a v1 API server refuses the answer) and its uid, and allows the pod in every case it answers at all.
 */
export async function handleAdmissionReview(body: unknown, deps: AdmissionDeps): Promise<AdmissionOutcome> {
  let review = body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      review = JSON.parse(body.toString());
    } catch (err) {
      return bad(`body is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (!isObject(review)) return bad('body is not an AdmissionReview object');
  const apiVersion = review.apiVersion ?? 'admission.k8s.io/v1';
  if (!ADMISSION_VERSIONS.includes(apiVersion as (typeof ADMISSION_VERSIONS)[number])) {
    return bad(
      `unsupported apiVersion ${JSON.stringify(apiVersion)}; expected ${ADMISSION_VERSIONS.join(' or ')}`,
    );
  }
  if (review.kind !== undefined && review.kind !== 'AdmissionReview') {
    return bad(`kind is ${JSON.stringify(review.kind)}, expected "AdmissionReview"`);
  }
  const request = review.request;
  if (!isObject(request)) return bad('AdmissionReview has no request');
  const uid = request.uid;
  if (typeof uid !== 'string' || uid === '') return bad('request.uid is missing');
  const namespace = typeof request.namespace === 'string' ? request.namespace : '';
  const reply = (response: Omit<AdmissionResponse, 'uid' | 'allowed'>): AdmissionReviewResponse => ({
    apiVersion: apiVersion as string,
    kind: 'AdmissionReview',
    response: { uid, allowed: true, ...response },
  });

  // Only pod creation is mutated (the configuration asks for nothing else); anything else is allowed untouched.
  const kind = request.kind;
  if (isObject(kind) && (kind.kind !== 'Pod' || (kind.group ?? '') !== '')) {
    return ok(reply({}), { decision: 'none', reason: 'not-a-pod' }, namespace, '');
  }
  if (request.operation !== undefined && request.operation !== 'CREATE') {
    return ok(reply({}), { decision: 'none', reason: 'not-create' }, namespace, '');
  }
  const pod = request.object;
  if (!isObject(pod) || (pod.spec !== undefined && !isObject(pod.spec))) {
    return bad('request.object is not a Pod');
  }
  const spec = (pod as Pod).spec;
  const podName = (pod as Pod).metadata?.name || (pod as Pod).metadata?.generateName || '';
  const ns = namespace || (pod as Pod).metadata?.namespace || 'default';
  const saName = spec?.serviceAccountName || 'default';

  let serviceAccount: Awaited<ReturnType<ServiceAccountSource['get']>>;
  try {
    serviceAccount = await deps.source.get(ns, saName);
  } catch (err) {
    return {
      status: 500,
      kind: 'source',
      error: `looking up ServiceAccount ${ns}/${saName}: ${(err as Error).message}`,
    };
  }
  const result = mutate(pod as Pod, serviceAccount, deps.config, {
    namespace: ns,
    ...(deps.random ? { random: deps.random } : {}),
  });
  const warnings = result.warnings.length > 0 ? { warnings: result.warnings } : {};
  if (result.decision === 'none') return ok(reply(warnings), result, ns, podName);
  return ok(
    reply({
      patchType: 'JSONPatch',
      patch: Buffer.from(JSON.stringify(result.patch)).toString('base64'),
      ...warnings,
    }),
    result,
    ns,
    podName,
  );
}

function ok(
  review: AdmissionReviewResponse,
  result: MutationResult | { decision: 'none'; reason: 'not-a-pod' | 'not-create' },
  namespace: string,
  name: string,
): AdmissionOutcome {
  return { status: 200, review, result, namespace, name };
}

function bad(error: string): AdmissionOutcome {
  return { status: 400, kind: 'bad_request', error };
}
