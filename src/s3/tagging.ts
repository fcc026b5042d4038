import { s3Errors } from './s3-errors.js';
import { list, parseXml, xmlDocument } from './xml.js';

/** Tag rules (S3 UG "Categorizing your storage using tags"): keys 1–128, values 0–256 characters, unique keys. */
function checkTag(key: string, value: string): void {
  if (key.length === 0 || key.length > 128)
    throw s3Errors.invalidTag('The TagKey you have provided is invalid');
  if (value.length > 256) throw s3Errors.invalidTag('The TagValue you have provided is invalid');
}

export function parseTagging(body: string, max: number): Record<string, string> {
  const doc = parseXml(body);
  const tagging = doc?.Tagging as Record<string, unknown> | undefined;
  if (!tagging || typeof tagging !== 'object') throw s3Errors.malformedXml();
  const tagSet = tagging.TagSet as Record<string, unknown> | '' | undefined;
  const out: Record<string, string> = {};
  const items = tagSet && typeof tagSet === 'object' ? list(tagSet.Tag) : [];
  for (const t of items) {
    if (!t || typeof t !== 'object') throw s3Errors.malformedXml();
    const { Key, Value } = t as { Key?: unknown; Value?: unknown };
    if (typeof Key !== 'string') throw s3Errors.malformedXml();
    const value = typeof Value === 'string' ? Value : '';
    checkTag(Key, value);
    if (Key in out) throw s3Errors.invalidTag('Cannot provide multiple Tags with the same key');
    out[Key] = value;
  }
  if (Object.keys(out).length > max) throw s3Errors.invalidTag('Object tags cannot be greater than 10');
  return out;
}

/** x-amz-tagging: a URL query string ("k1=v1&k2=v2"). */
export function parseTaggingHeader(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(header)) {
    checkTag(k, v);
    if (k in out) throw s3Errors.invalidTag('Cannot provide multiple Tags with the same key');
    out[k] = v;
  }
  if (Object.keys(out).length > 10) throw s3Errors.invalidTag('Object tags cannot be greater than 10');
  return out;
}

export function renderTagging(tags: Record<string, string>): string {
  return xmlDocument('Tagging', {
    TagSet: { Tag: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
  });
}
