import type { JsonPatchOp } from './types.js';

/**
 * Applies the webhook's own patches (RFC 6902 `add` only) to a copy of `doc`, for runtimes that admit pods
 * in-process (the local cluster) without a JSON Patch library. Throws on a path that does not resolve, as
 * RFC 6902 requires; the webhook never emits one.
 */
export function applyPatch<T>(doc: T, patch: readonly JsonPatchOp[]): T {
  const root = { value: structuredClone(doc) as unknown };
  for (const op of patch) {
    if (op.op !== 'add') throw new Error(`unsupported JSON Patch op ${String(op.op)}`);
    const tokens = op.path === '' ? [] : op.path.slice(1).split('/').map(unescapeToken);
    let parent: unknown = root;
    let key: string = 'value';
    for (const t of tokens) {
      parent = child(parent, key, op.path);
      key = t;
    }
    const value = structuredClone(op.value);
    if (Array.isArray(parent)) {
      const index = key === '-' ? parent.length : Number(key);
      if (!/^(0|[1-9]\d*)$/.test(key) && key !== '-') throw new Error(`bad array index in ${op.path}`);
      if (index > parent.length) throw new Error(`index out of range in ${op.path}`);
      parent.splice(index, 0, value);
    } else if (parent && typeof parent === 'object') {
      (parent as Record<string, unknown>)[key] = value;
    } else {
      throw new Error(`path ${op.path} does not resolve`);
    }
  }
  return root.value as T;
}

function child(parent: unknown, key: string, path: string): unknown {
  if (parent && typeof parent === 'object') {
    const next = (parent as Record<string, unknown>)[key];
    if (next !== undefined && next !== null && typeof next === 'object') return next;
  }
  throw new Error(`path ${path} does not resolve`);
}

function unescapeToken(t: string): string {
  return t.replaceAll('~1', '/').replaceAll('~0', '~');
}
