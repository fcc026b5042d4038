import { isIrsakitError } from '../errors/index.js';
import type { CliIo, Command } from './command.js';
import { COMMANDS } from './commands/index.js';

function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'irsakit: IRSA (EKS IAM Roles for Service Accounts) end to end on one machine',
    '',
    'usage: irsakit <command> [flags]',
    '',
    'commands:',
    ...lines,
    '',
    "Run `irsakit <command> --help` for a command's flags.",
    '',
  ].join('\n');
}

/** Finds the longest command name that prefixes argv ("cluster rotate-keys" before "cluster"). */
function resolve(argv: string[]): { command: Command; rest: string[] } | undefined {
  let best: { command: Command; rest: string[] } | undefined;
  for (const command of COMMANDS) {
    const words = command.name.split(' ');
    if (
      words.every((w, i) => argv[i] === w) &&
      (!best || words.length > best.command.name.split(' ').length)
    ) {
      best = { command, rest: argv.slice(words.length) };
    }
  }
  return best;
}

export async function main(argv: string[], io?: Partial<CliIo>): Promise<number> {
  const cli: CliIo = {
    env: io?.env ?? process.env,
    stdout: io?.stdout ?? process.stdout,
    stderr: io?.stderr ?? process.stderr,
    stdin: io?.stdin ?? process.stdin,
    cwd: io?.cwd ?? process.cwd(),
  };
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    cli.stdout.write(helpText());
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version') {
    cli.stdout.write('irsakit 0.1.0\n');
    return 0;
  }
  // The AWS SDK v3 warns once per process that its 2027 releases will need Node 22; irsakit pins versions that
  // support Node 20, so the notice is noise in every command that uses an SDK client (demo, apply, doctor).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const found = resolve(argv);
  if (!found) {
    cli.stderr.write(`irsakit: unknown command "${argv[0]}"\n\n${helpText()}`);
    return 2;
  }
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    cli.stdout.write(`${found.command.summary}\n\nusage: ${found.command.usage}\n`);
    return 0;
  }
  try {
    return await found.command.run(found.rest, cli);
  } catch (err) {
    if (isIrsakitError(err)) {
      cli.stderr.write(`irsakit ${found.command.name}: ${err.message} (${err.code})\n`);
      return err.code === 'ERR_USAGE' || err.code === 'ERR_CONFIG' ? 2 : 1;
    }
    throw err;
  }
}
