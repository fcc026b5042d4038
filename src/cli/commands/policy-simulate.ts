import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { IrsakitError } from '../../errors/index.js';
import { accessDeniedMessage, evaluate, renderDecision, simulationInput } from '../../policy/index.js';
import { type CliIo, type Command, parseFlags, str } from '../command.js';

const USAGE = 'irsakit policy simulate --input CASE.json [--json]';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

async function readCase(path: string, io: CliIo): Promise<string> {
  if (path === '-') return readAll(io.stdin);
  try {
    return readFileSync(resolve(io.cwd, path), 'utf8');
  } catch (err) {
    throw new IrsakitError(
      'ERR_INPUT',
      `--input ${path}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`,
    );
  }
}

export const policySimulateCommand: Command = {
  name: 'policy simulate',
  summary: 'evaluate one request against IAM policies offline and explain the decision',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseFlags(
      argv,
      { input: { type: 'string', short: 'i' }, json: { type: 'boolean' } },
      USAGE,
    );
    const path = str(values.input);
    if (!path) throw new IrsakitError('ERR_USAGE', `--input is required\nusage: ${USAGE}`);
    const text = await readCase(path, io);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new IrsakitError('ERR_INPUT', `${path}: not valid JSON (${(err as Error).message})`);
    }
    const c = simulationInput(raw);
    if (!c.ok) {
      const code = c.message.startsWith('MalformedPolicyDocument') || c.message.startsWith('LimitExceeded');
      throw new IrsakitError(code ? 'ERR_POLICY' : 'ERR_INPUT', `${path}: ${c.field}: ${c.message}`, {
        field: c.field,
      });
    }
    const d = evaluate(c.input, { trace: true });
    const req = c.input.request;
    const message =
      d.decision === 'Allow'
        ? undefined
        : accessDeniedMessage(req.principal.arn, req.action, req.resource, d);
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ ...d, ...(message ? { message } : {}) }, null, 2)}\n`);
      return 0;
    }
    const color = io.stdout.isTTY === true && io.env.NO_COLOR === undefined;
    const { trace: _trace, ...shown } = d;
    io.stdout.write(renderDecision(shown, c.policies, { color }));
    if (message) io.stdout.write(`\n${message}\n`);
    return 0;
  },
};
