import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { IAMClient } from '@aws-sdk/client-iam';
import { parseAllDocuments, stringify } from 'yaml';
import { applyAckObjects, isAckObject } from '../../ack/index.js';
import { kubectlError, type ManifestReport } from '../../cluster/index.js';
import { IrsakitError, isIrsakitError } from '../../errors/index.js';
import { adminAws, adminRequest, clientTarget } from '../client.js';
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
export async function readManifests(
  io: CliIo,
  files: string[],
  order?: (text: string) => number,
): Promise<{ source: string; text: string }[]> {
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
      const texts = names.map((n) => ({ source: join(f, n), text: readFileSync(join(path, n), 'utf8') }));
      out.push(...(order ? [...texts].sort((a, b) => order(a.text) - order(b.text)) : texts));
    } else {
      out.push({ source: f, text: readFileSync(path, 'utf8') });
    }
  }
  return out;
}

/**
 * Where a directory's file goes in an apply: the files that create what others need first (namespaces, then
 * ServiceAccounts and webhook registrations, then the AWS side), pods last, so `apply -f DIR` works in one go
 * whatever the file names. Files keep their name order within a rank (the sort is stable).
 */
const KIND_RANK: Record<string, number> = {
  Namespace: 0,
  ServiceAccount: 1,
  MutatingWebhookConfiguration: 1,
  Pod: 3,
};
function applyRank(text: string): number {
  const kinds = [...text.matchAll(/^\s{0,2}["']?kind["']?\s*:\s*["']?(\w+)/gm)].map(
    (m) => KIND_RANK[m[1] ?? ''] ?? 2,
  );
  return kinds.length > 0 ? Math.min(...kinds) : 2;
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
  for (const manifest of await readManifests(io, files, route === 'apply' ? applyRank : undefined)) {
    const { source } = manifest;
    let { text } = manifest;
    if (route === 'apply') {
      const split = await applyAwsSide(io, target, manifest);
      if (split.code !== undefined) code = Math.max(code, split.code);
      if (split.rest === null) continue;
      text = split.rest;
    }
    const q = new URLSearchParams({ source, ...(ns ? { namespace: ns } : {}) });
    let report: ManifestReport;
    try {
      report = await adminRequest<ManifestReport>(target, 'POST', `/k8s/${route}?${q}`, text, {
        contentType: 'application/yaml',
      });
    } catch (err) {
      // As kubectl: a refused source is reported and the other sources are still applied.
      const e = kubectlError(err);
      if (!isIrsakitError(e) || e.code === 'ERR_ENDPOINT_UNREACHABLE' || e.code === 'ERR_UNAUTHORIZED')
        throw e;
      io.stderr.write(`${e.message}\n`);
      code = 1;
      continue;
    }
    code = Math.max(code, printReport(io, report, source, route === 'apply' ? 'creating' : 'deleting'));
  }
  return code;
}

/**
 * The AWS half of a manifest: ACK IAM objects (iam.services.k8s.aws/v1alpha1) are applied over the IAM API with
 * the instance's admin key pair, and bare IAM policy documents (examples/*.json) are skipped with a note. Returns
 * the rest for the cluster (null when nothing is left), unchanged when the manifest held neither.
 */
async function applyAwsSide(
  io: CliIo,
  target: ReturnType<typeof clientTarget>,
  manifest: { source: string; text: string },
): Promise<{ rest: string | null; code?: number }> {
  // YAML 1.1, as Kubernetes reads manifests. A malformed manifest goes to the API server whole, which
  // reports it with its own messages (document and field).
  const parsed = parseAllDocuments(manifest.text, { version: '1.1' });
  const list = Array.isArray(parsed) ? parsed : [parsed];
  if (list.some((d) => d.errors.length > 0)) return { rest: manifest.text };
  const docs = list.map((d) => d.toJS() as unknown).filter((d) => d !== null && d !== undefined);
  const ack = docs.filter(isAckObject);
  const policyDocs = docs.filter(
    (d) => d !== null && typeof d === 'object' && !('kind' in d) && 'Statement' in d,
  );
  if (ack.length === 0 && policyDocs.length === 0) return { rest: manifest.text };
  for (const _ of policyDocs) {
    io.stderr.write(`skipping "${manifest.source}": an IAM policy document, not a Kubernetes object\n`);
  }
  let code = 0;
  if (ack.length > 0) {
    const { region, credentials } = await adminAws(target);
    const iam = new IAMClient({ endpoint: target.endpoint, region, credentials });
    try {
      for (const r of await applyAckObjects(ack, { iam })) {
        const ref = `${r.kind.toLowerCase()}.iam.services.k8s.aws/${r.name}`;
        if (r.error) {
          io.stderr.write(
            `Error from server: error when creating "${manifest.source}": ${ref}: ${r.error}\n`,
          );
          code = 1;
        } else io.stdout.write(`${ref} ${r.action}\n`);
      }
    } finally {
      iam.destroy();
    }
  }
  const rest = docs.filter((d) => !isAckObject(d) && !policyDocs.includes(d));
  return { rest: rest.length > 0 ? rest.map((d) => stringify(d)).join('---\n') : null, code };
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
