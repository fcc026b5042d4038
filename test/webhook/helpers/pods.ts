import fastJsonPatch from 'fast-json-patch';
import type { JsonPatchOp } from '../../../src/webhook/index.js';

/** Applies a patch with the fast-json-patch library (not irsakit's own applier), to a copy. */
export function patchPod<T>(doc: T, patch: readonly JsonPatchOp[] | readonly fastJsonPatch.Operation[]): T {
  return fastJsonPatch.applyPatch(
    structuredClone(doc),
    structuredClone(patch) as fastJsonPatch.Operation[],
    true,
    false,
  ).newDocument;
}

/**
 * Drops what Go's encoder adds and the API server ignores, so pods compare by meaning: null fields (grpc
 * `service: null`) and empty `resources: {}` on containers.
 */
export function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === null) continue;
      if (k === 'resources' && v && typeof v === 'object' && Object.keys(v).length === 0) continue;
      out[k] = normalize(v);
    }
    return out;
  }
  return value;
}

export interface Difference {
  path: string;
  reference?: unknown;
  irsakit?: unknown;
}

/** Every JSON Pointer where two documents differ; a side where the member is absent has no key. */
export function diff(reference: unknown, irsakit: unknown, path = ''): Difference[] {
  if (JSON.stringify(reference) === JSON.stringify(irsakit)) return [];
  const bothObjects =
    reference &&
    irsakit &&
    typeof reference === 'object' &&
    typeof irsakit === 'object' &&
    Array.isArray(reference) === Array.isArray(irsakit);
  if (!bothObjects) {
    const d: Difference = { path };
    if (reference !== undefined) d.reference = reference;
    if (irsakit !== undefined) d.irsakit = irsakit;
    return [d];
  }
  const a = reference as Record<string, unknown>;
  const b = irsakit as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((k) => diff(a[k], b[k], `${path}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`));
}
