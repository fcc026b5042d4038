import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SigV4Request } from '../../src/aws/index.js';
import { REPO_ROOT } from './cli.js';

// AWS's SigV4 signing suite (awslabs/aws-c-auth), read in place from the repo's sibling; never copied.
export const SUITE = join(REPO_ROOT, '..', 'shared', 'conformance', 'sigv4', 'v4');

/** A case's context.json. */
export interface SuiteContext {
  credentials: { access_key_id: string; secret_access_key: string; token?: string };
  normalize: boolean;
  region: string;
  service: string;
  timestamp: string;
}

/** The suite's case folders, sorted. */
export function suiteCases(): string[] {
  return readdirSync(SUITE, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

export function readCase(dir: string, file: string): string {
  return readFileSync(join(SUITE, dir, file), 'utf8');
}

/** Parses a signed-request file: request line, headers (folded lines kept), blank line, body. */
export function parseSuiteRequest(text: string): { req: SigV4Request; body: string } {
  const lines = text.replace(/\n+$/, '').split('\n');
  const first = lines.shift() ?? '';
  const m = /^(\S+) (.*) HTTP\/1\.1$/.exec(first);
  assert.ok(m, `request line: ${first}`);
  const headers: [string, string][] = [];
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') break;
    if (/^\s/.test(line) && headers.length > 0) {
      headers[headers.length - 1]![1] += `\n${line}`;
      continue;
    }
    const colon = line.indexOf(':');
    headers.push([line.slice(0, colon), line.slice(colon + 1)]);
  }
  return { req: { method: m[1]!, url: m[2]!, headers }, body: lines.slice(i + 1).join('\n') };
}
