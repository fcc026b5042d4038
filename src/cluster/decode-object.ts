import { decode, KINDS } from './schema.js';
import { badRequest, invalid, type StatusError } from './status.js';
import type { KubeObject } from './types.js';
import { validateObject } from './validate.js';

/**
 * What kube-apiserver does to a posted object before admission: find the kind (`no matches for kind`), decode
 * strictly (unknown fields and wrong JSON types are refused, naming the field), then validate.
 */
export function decodeObject(
  raw: Record<string, unknown>,
): { ok: true; object: KubeObject } | { ok: false; error: StatusError } {
  const kind = String(raw.kind ?? '');
  const apiVersion = String(raw.apiVersion ?? '');
  const known = KINDS[kind];
  if (!known || known.apiVersion !== apiVersion) {
    return { ok: false, error: badRequest(`no matches for kind "${kind}" in version "${apiVersion}"`) };
  }
  const problems = { unknown: [] as string[], types: [] as string[] };
  decode(raw, known.schema, '', '', kind, problems);
  if (problems.types.length > 0) {
    return {
      ok: false,
      error: badRequest(
        `${kind} in version "${apiVersion}" cannot be handled as a ${kind}: ${problems.types[0]}`,
      ),
    };
  }
  if (problems.unknown.length > 0) {
    return {
      ok: false,
      error: badRequest(
        `${kind} in version "${apiVersion}" cannot be handled as a ${kind}: strict decoding error: ${problems.unknown.join(', ')}`,
      ),
    };
  }
  const obj = structuredClone(raw) as unknown as KubeObject;
  if (!obj.metadata || typeof obj.metadata !== 'object') obj.metadata = { name: '' };
  const errs = validateObject(obj);
  if (errs.length > 0) return { ok: false, error: invalid(kind, obj.metadata.name ?? '', errs) };
  return { ok: true, object: obj };
}
