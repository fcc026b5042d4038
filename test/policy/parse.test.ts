// Parser and validator cases as data: test/policy/cases/parse-*.json.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  type PolicyKind,
  type PolicyLimitKind,
  parsePolicy,
  statementRange,
  statementText,
} from '../../src/policy/index.js';

const DIR = join(import.meta.dirname, 'cases');

interface ParseCase {
  name: string;
  doc: string;
  kind: PolicyKind;
  limit?: PolicyLimitKind;
  text?: string;
  document?: unknown;
  expect: { ok: true } | { ok: false; code: string; message: string; line?: number; column?: number };
}

for (const file of readdirSync(DIR).filter((f) => f.startsWith('parse-') && f.endsWith('.json'))) {
  const data = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as { topic: string; cases: ParseCase[] };
  describe(`${file}: ${data.topic}`, () => {
    for (const c of data.cases) {
      test(c.name, () => {
        assert.match(c.doc, /^https:\/\/docs\.aws\.amazon\.com\//);
        const text = c.text ?? JSON.stringify(c.document);
        const r = parsePolicy(text, { kind: c.kind, name: 'test', ...(c.limit ? { limit: c.limit } : {}) });
        if (c.expect.ok) {
          assert.ok(r.ok, r.ok ? '' : `${r.error.code}: ${r.error.message}`);
          return;
        }
        assert.ok(!r.ok, 'expected an error');
        assert.equal(r.error.code, c.expect.code);
        assert.equal(r.error.message, c.expect.message);
        if (c.expect.line !== undefined) assert.equal(r.error.line, c.expect.line);
        if (c.expect.column !== undefined) assert.equal(r.error.column, c.expect.column);
      });
    }
  });
}

describe('source positions', () => {
  const text =
    '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Sid": "A",\n      "Effect": "Allow",\n      "Action": "s3:*",\n      "Resource": "*"\n    },\n    { "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*" }\n  ]\n}';
  test('statement ranges point at the braces', () => {
    const r = parsePolicy(text, { kind: 'identity', name: 'p' });
    assert.ok(r.ok);
    const a = statementRange(r.policy, 0)!;
    assert.deepEqual([a.start.line, a.start.column, a.end.line, a.end.column], [4, 5, 9, 6]);
    const b = statementRange(r.policy, 1)!;
    assert.deepEqual([b.start.line, b.start.column], [10, 5]);
    assert.equal(
      statementText(r.policy, 1),
      '{ "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*" }',
    );
    assert.equal(statementRange(r.policy, 2), undefined);
  });
  test('compiled statements keep Sid, effect and index', () => {
    const r = parsePolicy(text, { kind: 'identity', name: 'p' });
    assert.ok(r.ok);
    assert.deepEqual(
      r.policy.statements.map((s) => [s.index, s.sid, s.effect]),
      [
        [0, 'A', 'Allow'],
        [1, undefined, 'Deny'],
      ],
    );
    assert.equal(r.policy.version, '2012-10-17');
    assert.equal(r.policy.name, 'p');
  });
});
