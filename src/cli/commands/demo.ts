import {
  type DemoTarget,
  progressLine,
  type RenderOptions,
  renderJson,
  renderSummary,
  renderText,
  runDemo,
  SCENARIOS,
  type StepRecord,
  startLocalTarget,
} from '../../demo/index.js';
import { IrsakitError } from '../../errors/index.js';
import { adminAws, adminRequest, clientTarget } from '../client.js';
import { type CliIo, type Command, parseFlags, str } from '../command.js';

const USAGE = 'irsakit demo [--scenario NAME | --list] [--json] [--endpoint URL [--data DIR]]';

/** The admin key pair and account of a running instance, over its control API. */
async function remoteTarget(io: CliIo, endpoint: string, data: string | undefined): Promise<DemoTarget> {
  const target = clientTarget(io, { endpoint, data });
  const control = <T>(method: string, path: string, body?: unknown) =>
    adminRequest<T>(target, method, path, body);
  const { account, region, credentials } = await adminAws(target);
  return {
    aws: target.endpoint,
    region,
    account,
    admin: credentials,
    control,
    shared: true,
  };
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'the whole IRSA journey end to end on a fresh instance, then what goes wrong and why (--scenario)',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseFlags(
      argv,
      {
        scenario: { type: 'string' },
        list: { type: 'boolean' },
        json: { type: 'boolean' },
        endpoint: { type: 'string' },
        data: { type: 'string' },
      },
      USAGE,
    );
    const json = values.json === true;
    if (values.list) {
      if (json)
        for (const s of SCENARIOS)
          io.stdout.write(`${JSON.stringify({ name: s.name, summary: s.summary })}\n`);
      else {
        const w = Math.max(...SCENARIOS.map((s) => s.name.length));
        io.stdout.write(`${SCENARIOS.map((s) => `${s.name.padEnd(w)}  ${s.summary}`).join('\n')}\n`);
      }
      return 0;
    }
    const scenario = str(values.scenario);
    if (scenario !== undefined && !SCENARIOS.some((s) => s.name === scenario)) {
      throw new IrsakitError(
        'ERR_USAGE',
        `unknown scenario "${scenario}"; \`irsakit demo --list\` lists them\nusage: ${USAGE}`,
      );
    }
    const tty = (io.stdout as { isTTY?: boolean }).isTTY === true;
    const errTty = (io.stderr as { isTTY?: boolean }).isTTY === true;
    const columns = (io.stdout as { columns?: number }).columns;
    const render: RenderOptions = {
      color: tty && !io.env.NO_COLOR,
      width: columns && columns >= 60 ? Math.min(columns, 120) : 100,
    };
    const progress = (text: string) => {
      if (errTty) io.stderr.write(progressLine(`irsakit demo: ${text}…`, { color: !io.env.NO_COLOR }));
    };

    const endpoint = str(values.endpoint);
    const t0 = Date.now();
    progress('starting a fresh instance');
    const local = endpoint
      ? undefined
      : await startLocalTarget({
          control: (aws, token) => {
            const target = { endpoint: aws, token };
            return <T>(method: string, path: string, body?: unknown) =>
              adminRequest<T>(target, method, path, body);
          },
        });
    const target = local?.target ?? (await remoteTarget(io, endpoint!, str(values.data)));
    // Interrupted (Ctrl-C): stop the demo's own instance and remove its files before leaving.
    const onSignal = () => {
      void (local?.close() ?? Promise.resolve()).finally(() => process.exit(130));
    };
    if (local) process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
    let records: StepRecord[] = [];
    try {
      records = await runDemo({
        target,
        ...(scenario ? { scenario } : {}),
        onRecord: (r) => {
          if (errTty) io.stderr.write('\r\u001b[2K');
          io.stdout.write(json ? renderJson(r) : renderText(r, render));
        },
        onProgress: progress,
      });
    } finally {
      progress('cleaning up');
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      await local?.close();
      if (errTty) io.stderr.write('\r\u001b[2K');
    }
    if (!json) io.stdout.write(renderSummary(records, Date.now() - t0, render));
    const ok = records.length > 0 && records.every((r) => r.ok);
    if (!ok) {
      const bad = records.filter((r) => !r.ok).map((r) => r.id);
      io.stderr.write(
        `irsakit demo: ${bad.length ? `deviation in ${bad.join(', ')}` : 'no step ran'} (ERR_DEMO_STEP)\n`,
      );
    }
    return ok ? 0 : 1;
  },
};
