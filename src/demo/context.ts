import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { parse as parseYaml } from 'yaml';
import { EXAMPLES_DIR, type LocalizeOptions } from './examples.js';

/** Calls irsakit's control API (`/_irsakit<path>`) with the admin token; non-2xx answers throw. */
export type ControlRequest = <T = unknown>(method: string, path: string, body?: unknown) => Promise<T>;

/** Where the demo runs: an irsakit instance's AWS endpoint, its admin key pair and its control API. */
export interface DemoTarget {
  readonly aws: string;
  readonly region: string;
  readonly account: string;
  readonly admin: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly control: ControlRequest;
  /**
   * An instance the demo did not start (--endpoint): what a previous run left is removed first, and what this
   * run creates is removed at the end (the node's metadata options are put back).
   */
  readonly shared?: boolean;
  /** Moves the instance's clock (only for an instance the demo started itself). */
  readonly advanceClock?: (ms: number) => void;
  /** The node binary pods run; default process.execPath. */
  readonly node?: string;
  readonly examplesDir?: string;
}

/** One line a pod's app printed (examples/app.mjs prints JSON objects). */
export interface AppLine {
  readonly step: string;
  readonly [k: string]: unknown;
}

export interface PodRun {
  readonly pod: Record<string, unknown>;
  readonly phase: string;
  readonly lines: AppLine[];
  readonly log: string;
}

export interface ApplyResult {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly action?: string;
  readonly object?: Record<string, unknown>;
  readonly admission?: unknown[];
  readonly warnings?: string[];
  readonly error?: { message?: string; reason?: string; code?: number };
}

const POLL_MS = 40;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Parses the JSON lines of an app log, ignoring anything else (Node warnings, stack traces). */
export function appLines(log: string): AppLine[] {
  const out: AppLine[] = [];
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const v = JSON.parse(line) as AppLine;
      if (typeof v.step === 'string') out.push(v);
    } catch {
      // not one of the app's lines
    }
  }
  return out;
}

/**
 * Everything a step needs: the real AWS SDK v3 clients signed with the admin key pair, and the cluster through
 * the Kubernetes-shaped control API (apply, get, logs, exec, delete), as kubectl would reach a real cluster.
 */
export class DemoContext {
  readonly iam: IAMClient;
  readonly sts: STSClient;
  readonly s3: S3Client;
  readonly eks: EKSClient;
  readonly org: OrganizationsClient;
  readonly node: string;
  readonly examplesDir: string;

  constructor(readonly target: DemoTarget) {
    const common = {
      endpoint: target.aws,
      region: target.region,
      credentials: { accessKeyId: target.admin.accessKeyId, secretAccessKey: target.admin.secretAccessKey },
      maxAttempts: 1,
    };
    this.iam = new IAMClient(common);
    this.sts = new STSClient(common);
    this.s3 = new S3Client({ ...common, forcePathStyle: true });
    this.eks = new EKSClient(common);
    this.org = new OrganizationsClient(common);
    this.node = target.node ?? process.execPath;
    this.examplesDir = target.examplesDir ?? EXAMPLES_DIR;
  }

  get account(): string {
    return this.target.account;
  }

  localizeOptions(issuer: string): LocalizeOptions {
    return { account: this.account, issuer, node: this.node, examplesDir: this.examplesDir };
  }

  control<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    return this.target.control<T>(method, path, body);
  }

  /** `kubectl apply -f -`: every document of the manifest, with the API server's per-object results. */
  async apply(yaml: string): Promise<{ ok: boolean; results: ApplyResult[] }> {
    return this.control('POST', '/k8s/apply', yaml);
  }

  getPod(ns: string, name: string): Promise<Record<string, unknown>> {
    return this.control('GET', `/k8s/api/v1/namespaces/${ns}/pods/${name}`);
  }

  getServiceAccount(ns: string, name: string): Promise<Record<string, unknown>> {
    return this.control('GET', `/k8s/api/v1/namespaces/${ns}/serviceaccounts/${name}`);
  }

  /** `kubectl logs POD -c app` (every demo pod's app container is named app). */
  async podLog(ns: string, name: string, container = 'app'): Promise<string> {
    const text = await this.control<unknown>(
      'GET',
      `/k8s/api/v1/namespaces/${ns}/pods/${name}/log?container=${container}`,
    );
    return typeof text === 'string' ? text : JSON.stringify(text);
  }

  /** `kubectl exec POD -- command…`. */
  exec(
    ns: string,
    name: string,
    command: string[],
  ): Promise<{ stdout: string; stderr: string; exitCode: number }> {
    return this.control('POST', `/k8s/api/v1/namespaces/${ns}/pods/${name}/exec`, {
      command,
    });
  }

  async deletePod(ns: string, name: string): Promise<void> {
    await this.control('DELETE', `/k8s/api/v1/namespaces/${ns}/pods/${name}`).catch(() => undefined);
  }

  /**
   * Waits until the pod has exited, or (for a long-running app) until its log holds a `done` line; returns the
   * app's lines. Bounded by timeoutMs.
   */
  async waitForApp(ns: string, name: string, timeoutMs = 20_000): Promise<PodRun> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pod = await this.getPod(ns, name);
      const status = (pod.status ?? {}) as {
        phase?: string;
        containerStatuses?: { state?: Record<string, unknown> }[];
      };
      const phase = status.phase ?? 'Pending';
      const started = (status.containerStatuses ?? []).some((c) => c.state && !('waiting' in c.state));
      let log = '';
      if (started || phase === 'Succeeded' || phase === 'Failed') {
        log = await this.podLog(ns, name).catch(() => '');
      }
      const lines = appLines(log);
      if (phase === 'Succeeded' || phase === 'Failed' || lines.some((l) => l.step === 'done')) {
        return { pod, phase, lines, log };
      }
      const waiting = (status.containerStatuses ?? []).find((c) => c.state && 'waiting' in c.state)?.state
        ?.waiting as { reason?: string; message?: string } | undefined;
      if (waiting && /Error|BackOff/.test(waiting.reason ?? '')) {
        return { pod, phase: `${phase}/${waiting.reason}`, lines, log: waiting.message ?? '' };
      }
      if (Date.now() > deadline)
        throw new Error(`pod ${ns}/${name} did not finish in ${timeoutMs} ms (phase ${phase})`);
      await sleep(POLL_MS);
    }
  }

  /** Runs the app once more inside a running pod (`kubectl exec POD -- node app.mjs --once`). */
  async execApp(ns: string, name: string): Promise<{ lines: AppLine[]; stdout: string; stderr: string }> {
    const res = await this.exec(ns, name, [
      this.node,
      `${this.examplesDir.replace(/\/+$/, '')}/app.mjs`,
      '--once',
    ]);
    return { lines: appLines(res.stdout), stdout: res.stdout, stderr: res.stderr };
  }

  close(): void {
    for (const c of [this.iam, this.sts, this.s3, this.eks, this.org]) c.destroy();
  }
}

/** The documents of a YAML manifest as plain objects. */
export function yamlDocuments(text: string): Record<string, unknown>[] {
  return text
    .split(/^---\s*$/m)
    .map((d) => parseYaml(d) as unknown)
    .filter((d): d is Record<string, unknown> => d !== null && typeof d === 'object');
}

/** The first line of the app's output with this step. */
export function line(lines: readonly AppLine[], stepName: string): AppLine | undefined {
  return lines.find((l) => l.step === stepName);
}
