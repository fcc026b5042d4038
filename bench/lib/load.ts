import { type ChildProcess, spawn } from 'node:child_process';

export interface LoadResult {
  rps: number;
  p99: number;
  errors: number;
  non2xx: number;
}

export interface LoadRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * Starts `script --serve kind` in its own process (so the server under test has a core of its own) and
 * resolves what it prints on its first line matching `ready`. The child is killed by the caller.
 */
export function startServer<T>(
  script: string,
  kind: string,
  ready: RegExp,
  parse: (match: RegExpExecArray) => T,
): Promise<{ child: ChildProcess; ready: T }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, '--serve', kind], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
      const m = ready.exec(out);
      if (m) resolve({ child, ready: parse(m) });
    });
    child.on('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
}

export function stopServers(children: readonly { child: ChildProcess }[]): void {
  for (const { child } of children) {
    child.removeAllListeners('exit');
    child.kill();
  }
}

/** A bounded autocannon run (duration seconds) against one local URL, cycling through `requests`. */
export async function load(
  url: string,
  requests: LoadRequest[],
  opts: { connections: number; duration: number; headers?: Record<string, string> },
): Promise<LoadResult> {
  // autocannon ships no types; it is a dev-only load generator.
  const name = 'autocannon';
  const autocannon = (await import(name)).default;
  const r = await autocannon({
    url,
    connections: opts.connections,
    pipelining: 1,
    duration: opts.duration,
    ...(opts.headers ? { headers: opts.headers } : {}),
    requests,
  });
  return { rps: r.requests.average, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx };
}

/** " errors N non2xx M" when a run had failures, so a figure is never quoted from a failing run. */
export const failures = (r: LoadResult): string =>
  r.errors + r.non2xx > 0 ? ` errors ${r.errors} non2xx ${r.non2xx}` : '';
