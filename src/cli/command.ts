import { parseArgs } from 'node:util';
import { IrsakitError } from '../errors/index.js';

/** What a command may touch: its arguments, the environment and the output streams (injected for tests). */
export interface CliIo {
  readonly env: Record<string, string | undefined>;
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly cwd: string;
}

export interface Command {
  /** One word, or two for a group ("cluster rotate-keys"). */
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Returns the exit code. Throws IrsakitError for user-facing failures; main() prints them without a stack. */
  run(argv: string[], io: CliIo): Promise<number>;
}

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

/**
 * node:util parseArgs with irsakit's error style: an unknown or malformed flag becomes ERR_USAGE that names
 * the flag and the command's usage line, never a stack trace.
 */
export function parseFlags<T extends FlagSpec>(
  argv: string[],
  spec: T,
  usage: string,
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: spec,
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Record<string, string | boolean | string[] | undefined>, positionals };
  } catch (err) {
    const msg = (err as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new IrsakitError('ERR_USAGE', `${msg}\nusage: ${usage}`);
  }
}

/** Reads a string flag (the last one wins when given twice). */
export function str(v: string | boolean | string[] | undefined): string | undefined {
  if (Array.isArray(v)) return v.at(-1);
  return typeof v === 'string' ? v : undefined;
}
