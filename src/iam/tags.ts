import { limitExceeded } from './iam-errors.js';
import type { Tag } from './iam-params.js';

/** IAM allows 50 tags per resource (reference_iam-quotas). */
export const MAX_TAGS = 50;

/** Adds or overwrites tags; keys compare case-insensitively, as IAM treats tag keys. */
export function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const out = [...existing];
  for (const t of added) {
    const i = out.findIndex((e) => e.Key.toLowerCase() === t.Key.toLowerCase());
    if (i >= 0) out[i] = t;
    else out.push(t);
  }
  if (out.length > MAX_TAGS) throw limitExceeded(`Cannot exceed quota for TagsPerResource: ${MAX_TAGS}`);
  return out;
}

export function removeTags(existing: readonly Tag[], keys: readonly string[]): Tag[] {
  const drop = new Set(keys.map((k) => k.toLowerCase()));
  return existing.filter((t) => !drop.has(t.Key.toLowerCase()));
}

/** aws:RequestTag/* and aws:TagKeys for authorizing a call that carries tags. */
export function tagContext(tags: readonly Tag[]): Record<string, string | string[]> {
  if (tags.length === 0) return {};
  const ctx: Record<string, string | string[]> = { 'aws:TagKeys': tags.map((t) => t.Key) };
  for (const t of tags) ctx[`aws:RequestTag/${t.Key}`] = t.Value;
  return ctx;
}
