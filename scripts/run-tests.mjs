// Runs every test/**/*.test.ts through node:test with tsx. Node 20 does not expand globs, so list the files here.
// Extra arguments are passed through (e.g. a file or folder to narrow the run).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...find(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const args = process.argv.slice(2);
const roots = args.length > 0 ? args : ['test'];
const files = roots.flatMap((r) => (statSync(r).isDirectory() ? find(r) : [r]));
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=3', '--test-timeout=120000', ...files],
  { stdio: 'inherit' },
);
process.exit(res.status ?? 1);
