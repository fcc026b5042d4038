import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { kubectlError, type ManifestReport } from '../../cluster/index.js';
import { IrsakitError } from '../../errors/index.js';
import { adminRequest, clientTarget } from '../client.js';
import { type CliIo, type Command, parseFlags, str } from '../command.js';

const USAGE = 'irsakit apply -f FILE|DIR|- [-f …] [-n NAMESPACE] [--endpoint URL] [--data DIR]';

export function readStdin(io: CliIo): Promise<string> {
  return new Promise((res, rej) => {
    let text = '';
    io.stdin.setEncoding?.('utf8');
    io.stdin.on('data', (c: string | Buffer) => {
      text += c.toString();
    });
    io.stdin.on('end', () => res(text));
    io.stdin.on('error', rej);
  });
}

/** `-f` sources as kubectl reads them: a file, `-` for stdin, or a directory's .yaml/.yml/.json files in order. */
export async function readManifests(io: CliIo, files: string[]): Promise<{ source: string; text: string }[]> {
  const out: { source: string; text: string }[] = [];
  for (const f of files) {
    if (f === '-') {
      out.push({ source: 'STDIN', text: await readStdin(io) });
      continue;
    }
    const path = resolve(io.cwd, f);
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(path);
    } catch {
      throw new IrsakitError('ERR_INPUT', `the path "${f}" does not exist`);
    }
    if (st.isDirectory()) {
      const names = readdirSync(path)
        .filter((n) => ['.yaml', '.yml', '.json'].includes(extname(n)))
        .sort();
      if (names.length === 0)
        throw new IrsakitError('ERR_INPUT', `error reading ${f}: no .yaml, .yml or .json files`);
      for (const n of names) out.push({ source: join(f, n), text: readFileSync(join(path, n), 'utf8') });
    } else {
      out.push({ source: f, text: readFileSync(path, 'utf8') });
    }
  }
  return out;
}

/** Prints a manifest report as kubectl does; returns the exit code. */
export function printReport(
  io: CliIo,
  report: ManifestReport,
  source: string,
  verb: 'creating' | 'deleting',
): number {
  for (const r of report.results) {
    for (const w of r.warnings) io.stderr.write(`Warning: ${w}\n`);
    const ref = `${r.kind.toLowerCase()}/${r.name}`;
    if (r.error) {
      const action = r.error.reason === 'NotFound' && verb === 'deleting' ? 'deleting' : verb;
      io.stderr.write(
        `Error from server (${r.error.reason}): error when ${action} "${source}": ${r.error.message}\n`,
      );
    } else if (r.action === 'deleted') {
      io.stdout.write(`${r.kind.toLowerCase()} "${r.name}" deleted\n`);
    } else {
      io.stdout.write(`${ref} ${r.action}\n`);
    }
  }
  return report.ok ? 0 : 1;
}

/** Sends each `-f` source to the control API's manifest route and prints the report; returns the exit code. */
export async function sendManifests(
  io: CliIo,
  values: Record<string, string | boolean | string[] | undefined>,
  files: string[],
  route: 'apply' | 'delete',
): Promise<number> {
  const target = clientTarget(io, { endpoint: str(values.endpoint), data: str(values.data) });
  const ns = str(values.namespace);
  let code = 0;
  for (const { source, text } of await readManifests(io, files)) {
    const q = new URLSearchParams({ source, ...(ns ? { namespace: ns } : {}) });
    let report: ManifestReport;
    try {
      report = await adminRequest<ManifestReport>(target, 'POST', `/k8s/${route}?${q}`, text, {
        contentType: 'application/yaml',
      });
    } catch (err) {
      throw kubectlError(err);
    }
    code = Math.max(code, printReport(io, report, source, route === 'apply' ? 'creating' : 'deleting'));
  }
  return code;
}

export const applyCommand: Command = {
  name: 'apply',
  summary:
    'create or update cluster objects from YAML/JSON manifests (Namespace, ServiceAccount, Pod, MutatingWebhookConfiguration)',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseFlags(
      argv,
      {
        filename: { type: 'string', short: 'f', multiple: true },
        namespace: { type: 'string', short: 'n' },
        endpoint: { type: 'string' },
        data: { type: 'string' },
      },
      USAGE,
    );
    const files = (values.filename as string[] | undefined) ?? [];
    if (files.length === 0 || positionals.length > 0) {
      throw new IrsakitError(
        'ERR_USAGE',
        `must specify one of -f and -k (irsakit takes -f)\nusage: ${USAGE}`,
      );
    }
    return sendManifests(io, values, files, 'apply');
  },
};
