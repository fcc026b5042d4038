import { readFile, stat } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { IrsakitError } from '../errors/index.js';
import { createMemoryServiceAccountSource } from './memory-service-account-source.js';
import type { ServiceAccount, ServiceAccountSource } from './types.js';

/**
 * ServiceAccounts read from a YAML or JSON file: one or more documents, each a ServiceAccount or a List of them
 * (what `kubectl get sa -A -o yaml` prints). The file is read again when its modification time changes, so
 * editing it takes effect without a restart.
 */
export function createFileServiceAccountSource(path: string): ServiceAccountSource {
  let mtime = -1;
  let current = createMemoryServiceAccountSource();
  let loading: Promise<void> | undefined;

  async function refresh(): Promise<void> {
    const s = await stat(path);
    if (s.mtimeMs === mtime) return;
    const text = await readFile(path, 'utf8');
    current = createMemoryServiceAccountSource(parseServiceAccounts(text, path));
    mtime = s.mtimeMs;
  }

  return {
    async get(namespace, name) {
      loading ??= refresh().finally(() => {
        loading = undefined;
      });
      await loading;
      return current.get(namespace, name);
    },
  };
}

export function parseServiceAccounts(text: string, origin: string): ServiceAccount[] {
  const out: ServiceAccount[] = [];
  const visit = (doc: unknown) => {
    if (!doc || typeof doc !== 'object') return;
    const o = doc as Record<string, unknown>;
    if (Array.isArray(o.items)) {
      o.items.forEach(visit);
      return;
    }
    if (o.kind !== 'ServiceAccount') return;
    const meta = o.metadata as ServiceAccount['metadata'] | undefined;
    if (!meta || typeof meta.name !== 'string') {
      throw new IrsakitError('ERR_INPUT', `${origin}: a ServiceAccount has no metadata.name`);
    }
    out.push({ ...(o as ServiceAccount), metadata: { ...meta, namespace: meta.namespace ?? 'default' } });
  };
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      throw new IrsakitError('ERR_INPUT', `${origin}: ${doc.errors[0]!.message}`);
    }
    visit(doc.toJS());
  }
  return out;
}
