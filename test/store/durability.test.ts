import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { openStore } from '../../src/store/index.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const TSX = pathToFileURL(join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const STORE = pathToFileURL(join(REPO_ROOT, 'src', 'store', 'index.ts')).href;

// The writer acknowledges each row on stdout only after store.tx() returned, as an API call would.
const WRITER = `
import { openStore } from ${JSON.stringify(STORE)};
const store = openStore(process.argv[1]);
store.migrate('t', [{ version: 1, description: 't', up: (db) => db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)') }]);
const ins = store.db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
for (let i = 1; ; i++) {
  store.tx(() => ins.run(i, 'x'.repeat(200)));
  process.stdout.write(i + '\\n');
}
`;

describe('store durability', () => {
  it('loses no acknowledged write when the process is killed with SIGKILL mid-burst', async () => {
    const tmp = tempDir();
    try {
      const child = spawn(process.execPath, ['--import', TSX, '--input-type=module', '-e', WRITER, tmp.dir], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let acked = 0;
      let buf = '';
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          const lines = buf.split('\n');
          buf = lines.pop() ?? '';
          for (const l of lines) acked = Math.max(acked, Number(l));
          if (acked >= 300 && !child.killed) {
            child.kill('SIGKILL');
            resolve();
          }
        });
      });
      await new Promise((r) => child.on('exit', r));
      const store = openStore(tmp.dir);
      const row = store.db
        .prepare<[], { n: number; max: number }>('SELECT COUNT(*) AS n, MAX(id) AS max FROM t')
        .get();
      store.close();
      assert.ok(row, 'table exists after the crash');
      assert.ok(
        row.max >= acked,
        `every acknowledged row survives (acked ${acked}, stored up to ${row.max})`,
      );
      assert.equal(row.n, row.max, 'no gaps: each transaction is all or nothing');
    } finally {
      tmp.cleanup();
    }
  });

  it('applies each migration once, and refuses a store newer than the code', () => {
    const tmp = tempDir();
    try {
      const m = [
        {
          version: 1,
          description: 'a',
          up: (db: import('better-sqlite3').Database) => db.exec('CREATE TABLE a (x)'),
        },
      ];
      let s = openStore(tmp.dir);
      s.migrate('d', m);
      s.migrate('d', m);
      s.close();
      s = openStore(tmp.dir);
      assert.throws(() => s.migrate('d', []), {
        code: 'ERR_STORE',
        message: /newer than this irsakit knows/,
      });
      s.close();
    } finally {
      tmp.cleanup();
    }
  });
});
