/** One RFC 6902 operation as webhooks send them. */
export interface PatchOp {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

function tokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function resolveParent(root: { v: unknown }, pointer: string): { parent: unknown; key: string } {
  const ts = tokens(pointer);
  let parent: unknown = root;
  let key = 'v';
  for (const t of ts) {
    const next = (parent as Record<string, unknown>)[key];
    if (next === null || typeof next !== 'object') throw new Error(`path ${pointer} does not exist`);
    parent = next;
    key = t;
  }
  return { parent, key };
}

function index(arr: unknown[], key: string, forAdd: boolean, pointer: string): number {
  if (key === '-' && forAdd) return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(key)) throw new Error(`invalid array index "${key}" in ${pointer}`);
  const i = Number(key);
  if (i > arr.length || (!forAdd && i === arr.length))
    throw new Error(`array index ${i} out of range in ${pointer}`);
  return i;
}

function get(root: { v: unknown }, pointer: string): unknown {
  const { parent, key } = resolveParent(root, pointer);
  if (Array.isArray(parent)) return parent[index(parent, key, false, pointer)];
  const obj = parent as Record<string, unknown>;
  if (!Object.hasOwn(obj, key)) throw new Error(`path ${pointer} does not exist`);
  return obj[key];
}

function remove(root: { v: unknown }, pointer: string): unknown {
  const { parent, key } = resolveParent(root, pointer);
  if (Array.isArray(parent)) return parent.splice(index(parent, key, false, pointer), 1)[0];
  const obj = parent as Record<string, unknown>;
  if (!Object.hasOwn(obj, key)) throw new Error(`path ${pointer} does not exist`);
  const v = obj[key];
  delete obj[key];
  return v;
}

function add(root: { v: unknown }, pointer: string, value: unknown): void {
  const { parent, key } = resolveParent(root, pointer);
  if (Array.isArray(parent)) parent.splice(index(parent, key, true, pointer), 0, value);
  else (parent as Record<string, unknown>)[key] = value;
}

/** RFC 6902 (add, remove, replace, move, copy, test) on a copy of `doc`; throws on the first failing operation. */
export function applyJsonPatch<T>(doc: T, patch: readonly PatchOp[]): T {
  const root = { v: structuredClone(doc) as unknown };
  for (const op of patch) {
    if (!op || typeof op.path !== 'string') throw new Error('a patch operation needs a path');
    switch (op.op) {
      case 'add':
        add(root, op.path, structuredClone(op.value));
        break;
      case 'remove':
        remove(root, op.path);
        break;
      case 'replace':
        get(root, op.path);
        remove(root, op.path);
        add(root, op.path, structuredClone(op.value));
        break;
      case 'move': {
        const v = remove(root, String(op.from));
        add(root, op.path, v);
        break;
      }
      case 'copy':
        add(root, op.path, structuredClone(get(root, String(op.from))));
        break;
      case 'test':
        if (JSON.stringify(get(root, op.path)) !== JSON.stringify(op.value))
          throw new Error(`test failed at ${op.path}`);
        break;
      default:
        throw new Error(`unsupported JSON Patch operation "${String(op.op)}"`);
    }
  }
  return root.v as T;
}
