// Runs the evaluation cases under test/policy/cases/ (one file per topic; each case cites the AWS page it follows).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type Decision, evaluate, simulationInput } from '../../src/policy/index.js';

const DIR = join(import.meta.dirname, 'cases');

interface Expect {
  decision: Decision['decision'];
  decidedBy?: Decision['decidedBy'];
  reason?: string;
  /** "policyName#index" of every matched statement, in order. */
  matched?: string[];
  missing?: string[];
  /** A substring of the first near miss's message. */
  nearMiss?: string;
  nearMissField?: string;
}

interface EvalCase {
  name: string;
  doc: string;
  expect: Expect;
  [k: string]: unknown;
}

interface OperatorCase {
  name: string;
  doc: string;
  op: string;
  key: string;
  values: unknown[];
  context: Record<string, string | string[]>;
  match: boolean;
  version?: string;
}

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json') && !f.startsWith('parse-'))
  .sort();

export function checkDecision(d: Decision, e: Expect): void {
  assert.equal(d.decision, e.decision, `decision (reason: ${d.reason})`);
  if ('decidedBy' in e) assert.equal(d.decidedBy, e.decidedBy, 'decidedBy');
  if (e.reason !== undefined) assert.equal(d.reason, e.reason);
  if (e.matched) {
    assert.deepEqual(
      d.matchedStatements.map((m) => `${m.policyName}#${m.index}`),
      e.matched,
    );
  }
  if (e.missing) assert.deepEqual(d.missingContextKeys, e.missing);
  if (e.nearMiss !== undefined) {
    assert.ok(d.nearMisses.length > 0, 'expected a near miss');
    assert.ok(
      d.nearMisses[0]!.message.includes(e.nearMiss),
      `near miss "${d.nearMisses[0]!.message}" should contain "${e.nearMiss}"`,
    );
  }
  if (e.nearMissField !== undefined) assert.equal(d.nearMisses[0]?.field, e.nearMissField);
}

for (const file of files) {
  const data = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as {
    topic: string;
    source: string;
    cases: unknown[];
  };
  describe(`${file}: ${data.topic}`, () => {
    for (const raw of data.cases) {
      if (file === 'operators.json') {
        const c = raw as OperatorCase;
        test(c.name, () => {
          assert.match(c.doc, /^https:\/\/docs\.aws\.amazon\.com\//);
          const sim = simulationInput({
            request: {
              principal: 'arn:aws:sts::111122223333:assumed-role/app/sess',
              action: 's3:GetObject',
              resource: 'arn:aws:s3:::bucket/key',
              context: c.context,
            },
            identityPolicies: [
              {
                Version: c.version ?? '2012-10-17',
                Statement: [
                  {
                    Effect: 'Allow',
                    Action: 's3:GetObject',
                    Resource: '*',
                    Condition: { [c.op]: { [c.key]: c.values } },
                  },
                ],
              },
            ],
          });
          assert.ok(sim.ok, sim.ok ? '' : `${sim.field}: ${sim.message}`);
          const d = evaluate(sim.input);
          assert.equal(d.decision, c.match ? 'Allow' : 'ImplicitDeny');
        });
        continue;
      }
      const c = raw as EvalCase;
      test(c.name, () => {
        assert.match(c.doc, /^https:\/\/docs\.aws\.amazon\.com\//);
        const { name: _n, doc: _d, expect, ...rest } = c;
        const sim = simulationInput(rest);
        assert.ok(sim.ok, sim.ok ? '' : `${sim.field}: ${sim.message}`);
        checkDecision(evaluate(sim.input), expect);
        // The trace never changes the answer.
        const traced = evaluate(sim.input, { trace: true });
        checkDecision(traced, expect);
        assert.ok(Array.isArray(traced.trace));
      });
    }
  });
}
