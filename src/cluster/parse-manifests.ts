import { parseAllDocuments } from 'yaml';

export interface ManifestDocument {
  /** 1-based position in the source (items of a `List` share their document's number). */
  readonly index: number;
  readonly object: Record<string, unknown>;
}

export type ParseResult =
  | { readonly ok: true; readonly documents: ManifestDocument[] }
  | { readonly ok: false; readonly problems: string[] };

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a sequence';
  return typeof v === 'object' ? 'a mapping' : `a ${typeof v}`;
}

/**
 * Splits multi-document YAML (or JSON, which is YAML) into objects, as kubectl reads `-f`. YAML 1.1 rules, as
 * Kubernetes' go-yaml applies them (`defaultMode: 0644` is octal). Every problem names the source and the
 * document; nothing is returned when any document is malformed, so a bad file is never half-applied.
 */
export function parseManifests(text: string, source: string): ParseResult {
  const problems: string[] = [];
  const documents: ManifestDocument[] = [];
  const docs = parseAllDocuments(text, { version: '1.1', uniqueKeys: true, prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, n) => {
    const index = n + 1;
    const where = `${source}: document ${index}`;
    if (doc.errors.length > 0) {
      for (const e of doc.errors)
        problems.push(`${where}: error converting YAML to JSON: ${e.message.split('\n')[0]}`);
      return;
    }
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    if (value === null || value === undefined) return; // empty document (a leading or trailing ---)
    if (typeof value !== 'object' || Array.isArray(value)) {
      problems.push(
        `${where}: expected a Kubernetes object (a mapping with apiVersion and kind), got ${kindOf(value)}`,
      );
      return;
    }
    const obj = value as Record<string, unknown>;
    if (
      obj.kind === 'List' ||
      (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items))
    ) {
      const items = obj.items;
      if (!Array.isArray(items)) {
        problems.push(`${where}: field items: a List needs an items sequence`);
        return;
      }
      items.forEach((item, k) => {
        if (!item || typeof item !== 'object' || Array.isArray(item)) {
          problems.push(`${where}: items[${k}]: expected a Kubernetes object, got ${kindOf(item)}`);
        } else documents.push({ index, object: item as Record<string, unknown> });
      });
      return;
    }
    documents.push({ index, object: obj });
  });
  // Object-level checks (kind set, apiVersion set) are kubectl's client-side validation.
  for (const d of documents) {
    const where = `${source}: document ${d.index}`;
    if (typeof d.object.apiVersion !== 'string' || d.object.apiVersion === '') {
      problems.push(`${where}: error validating data: apiVersion not set`);
    }
    if (typeof d.object.kind !== 'string' || d.object.kind === '')
      problems.push(`${where}: error validating data: kind not set`);
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, documents };
}
