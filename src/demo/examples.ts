import { readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's examples/ folder (from src/demo under tsx, and from dist/demo once built). */
export const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));

/** The placeholders the example files use, so they read like a real EKS setup. */
export const EXAMPLE_ACCOUNT = '111122223333';
export const EXAMPLE_ISSUER_HOSTPATH = 'oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
/** The container command in pod.yaml, as an image would run it. */
export const EXAMPLE_COMMAND = '["node", "/app/app.mjs"]';

export interface LocalizeOptions {
  readonly account: string;
  /** The cluster's issuer URL (https://…). */
  readonly issuer: string;
  /** The node binary pods run (process.execPath). */
  readonly node: string;
  readonly examplesDir: string;
}

/** The issuer without its scheme: the provider URL as IAM stores it and the prefix of the condition keys. */
export function issuerHostPath(issuer: string): string {
  return issuer.replace(/^https:\/\//, '');
}

/**
 * An example file made to work against this instance: the placeholder account and issuer become the real ones,
 * and the image's `node /app/app.mjs` becomes this machine's node running examples/app.mjs by absolute path (so
 * the SDK resolves from the package's node_modules).
 */
export function localize(text: string, o: LocalizeOptions): string {
  const app = `${o.examplesDir.replace(/\/+$/, '')}/app.mjs`;
  return text
    .replaceAll(EXAMPLE_ISSUER_HOSTPATH, issuerHostPath(o.issuer))
    .replaceAll(`:${EXAMPLE_ACCOUNT}:`, `:${o.account}:`)
    .replaceAll(EXAMPLE_COMMAND, JSON.stringify([o.node, app]));
}

/** Reads one example file, localized. */
export function readExample(name: string, o: LocalizeOptions): string {
  return localize(readFileSync(`${o.examplesDir.replace(/\/+$/, '')}/${name}`, 'utf8'), o);
}

/**
 * Why a process running as another (non-root) user could not run `file`: the first directory on its path that
 * others may not traverse, or the file itself when others may not read it. Undefined when nothing blocks it.
 * The no-fsgroup scenario runs the app as uid 1000, so irsakit's own files must be reachable for it.
 */
export function blockedForOthers(file: string): string | undefined {
  if ((statSync(file).mode & 0o004) === 0) return file;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
