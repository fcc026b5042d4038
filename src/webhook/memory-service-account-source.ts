import type { ServiceAccount, ServiceAccountSource } from './types.js';

export interface MemoryServiceAccountSource extends ServiceAccountSource {
  set(sa: ServiceAccount): void;
  delete(namespace: string, name: string): void;
  list(): ServiceAccount[];
}

/** ServiceAccounts held in a Map: for tests, and for runtimes that already hold their objects in memory. */
export function createMemoryServiceAccountSource(
  initial: Iterable<ServiceAccount> = [],
): MemoryServiceAccountSource {
  const items = new Map<string, ServiceAccount>();
  const key = (ns: string, name: string) => `${ns}/${name}`;
  const set = (sa: ServiceAccount) =>
    items.set(key(sa.metadata.namespace ?? 'default', sa.metadata.name), sa);
  for (const sa of initial) set(sa);
  return {
    async get(namespace, name) {
      return items.get(key(namespace, name));
    },
    set,
    delete(namespace, name) {
      items.delete(key(namespace, name));
    },
    list: () => [...items.values()],
  };
}
