import type { Store } from '../store/index.js';
import { CLUSTER_MIGRATIONS } from './migrations.js';
import type { KubeObject } from './types.js';

export interface ObjectStore {
  get<T extends KubeObject = KubeObject>(kind: string, namespace: string, name: string): T | undefined;
  list<T extends KubeObject = KubeObject>(kind: string, namespace?: string): T[];
  /** Writes the object (insert or replace) with the next resourceVersion; returns the stored copy. */
  put<T extends KubeObject>(obj: T): T;
  /** Replaces only when the stored object still has `uid` (a status write never resurrects a deleted pod). */
  putIfUid<T extends KubeObject>(obj: T, uid: string): T | undefined;
  delete(kind: string, namespace: string, name: string): boolean;
  getKv<T>(key: string): T | undefined;
  setKv(key: string, value: unknown): void;
  tx<T>(fn: () => T): T;
}

/** The cluster's objects in the embedded store, one row per object, its body as JSON. */
export function createObjectStore(store: Store): ObjectStore {
  store.migrate('cluster', CLUSTER_MIGRATIONS);
  const db = store.db;
  const getStmt = db.prepare<[string, string, string], { body: string }>(
    'SELECT body FROM cluster_objects WHERE kind = ? AND namespace = ? AND name = ?',
  );
  const listAll = db.prepare<[string], { body: string }>(
    'SELECT body FROM cluster_objects WHERE kind = ? ORDER BY namespace, name',
  );
  const listNs = db.prepare<[string, string], { body: string }>(
    'SELECT body FROM cluster_objects WHERE kind = ? AND namespace = ? ORDER BY name',
  );
  const upsert = db.prepare(
    `INSERT INTO cluster_objects (kind, namespace, name, uid, resource_version, body) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (kind, namespace, name) DO UPDATE SET uid = excluded.uid, resource_version = excluded.resource_version, body = excluded.body`,
  );
  const uidOf = db.prepare<[string, string, string], { uid: string }>(
    'SELECT uid FROM cluster_objects WHERE kind = ? AND namespace = ? AND name = ?',
  );
  const del = db.prepare('DELETE FROM cluster_objects WHERE kind = ? AND namespace = ? AND name = ?');
  const kvGet = db.prepare<[string], { value: string }>('SELECT value FROM cluster_kv WHERE key = ?');
  const kvSet = db.prepare(
    'INSERT INTO cluster_kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  const nextVersion = (): number => {
    const cur = Number(kvGet.get('resourceVersion')?.value ?? '0') + 1;
    kvSet.run('resourceVersion', String(cur));
    return cur;
  };
  const write = <T extends KubeObject>(obj: T): T => {
    const rv = nextVersion();
    const stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } } as T;
    upsert.run(
      obj.kind,
      obj.metadata.namespace ?? '',
      obj.metadata.name,
      obj.metadata.uid ?? '',
      rv,
      JSON.stringify(stored),
    );
    return stored;
  };
  return {
    get<T extends KubeObject>(kind: string, namespace: string, name: string) {
      const row = getStmt.get(kind, namespace, name);
      return row ? (JSON.parse(row.body) as T) : undefined;
    },
    list<T extends KubeObject>(kind: string, namespace?: string) {
      const rows = namespace === undefined ? listAll.all(kind) : listNs.all(kind, namespace);
      return rows.map((r) => JSON.parse(r.body) as T);
    },
    put: (obj) => store.tx(() => write(obj)),
    putIfUid(obj, uid) {
      return store.tx(() => {
        const row = uidOf.get(obj.kind, obj.metadata.namespace ?? '', obj.metadata.name);
        return row?.uid === uid ? write(obj) : undefined;
      });
    },
    delete: (kind, namespace, name) => store.tx(() => del.run(kind, namespace, name).changes > 0),
    getKv<T>(key: string) {
      const row = kvGet.get(key);
      return row ? (JSON.parse(row.value) as T) : undefined;
    },
    setKv: (key, value) => {
      store.tx(() => kvSet.run(key, JSON.stringify(value)));
    },
    tx: (fn) => store.tx(fn),
  };
}
