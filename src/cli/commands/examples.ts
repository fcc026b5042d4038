import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXAMPLES_DIR, readExample } from '../../demo/index.js';
import { IrsakitError } from '../../errors/index.js';
import type { HealthReport } from '../../runtime/index.js';
import { adminRequest, clientTarget } from '../client.js';
import { type Command, parseFlags, str } from '../command.js';

const USAGE = 'irsakit examples --out DIR [--endpoint URL] [--data DIR]';

export const examplesCommand: Command = {
  name: 'examples',
  summary:
    "write the examples, localized for the running instance (its issuer, account and this machine's node)",
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseFlags(
      argv,
      { out: { type: 'string' }, endpoint: { type: 'string' }, data: { type: 'string' } },
      USAGE,
    );
    const out = str(values.out);
    if (!out) throw new IrsakitError('ERR_USAGE', `--out is required\nusage: ${USAGE}`);
    const target = clientTarget(io, { endpoint: str(values.endpoint), data: str(values.data) });
    const health = await adminRequest<HealthReport>(target, 'GET', '/health');
    const issuer = health.clusters[0]?.issuer;
    if (!issuer) throw new IrsakitError('ERR_UNKNOWN_CLUSTER', 'the instance reports no cluster');
    const dir = resolve(io.cwd, out);
    mkdirSync(dir, { recursive: true });
    // Manifests and policies are rewritten; the app scripts stay where they are, next to the SDK they import.
    const names = readdirSync(EXAMPLES_DIR).filter((n) => /\.(ya?ml|json)$/.test(n));
    for (const name of names) {
      const text = readExample(name, {
        account: health.account,
        issuer,
        node: process.execPath,
        examplesDir: EXAMPLES_DIR,
      });
      writeFileSync(join(dir, name), text);
      io.stdout.write(`${join(out, name)}\n`);
    }
    io.stdout.write(`apply them with: irsakit apply -f ${out}\n`);
    return 0;
  },
};
