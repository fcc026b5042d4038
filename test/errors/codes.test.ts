import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ERROR_CODES } from '../../src/errors/index.js';
import { REPO_ROOT } from '../helpers/cli.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('error code registry', () => {
  it('documents every code in the README, with the same meaning', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    for (const [code, meaning] of Object.entries(ERROR_CODES)) {
      assert.ok(readme.includes(`| \`${code}\` | ${meaning} |`), `README lists ${code}: ${meaning}`);
    }
  });

  it('registers every code the source raises as an IrsakitError', () => {
    const used = new Set<string>();
    for (const file of sources(join(REPO_ROOT, 'src'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/IrsakitError\(\s*'(ERR_[A-Z_]+)'/g))
        used.add(m[1]!);
    }
    const missing = [...used].filter((c) => !(c in ERROR_CODES));
    assert.deepEqual(missing, [], 'codes used in src/ but not in src/errors/codes.ts');
  });
});
