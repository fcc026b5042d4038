/**
 * The webhook's Prometheus metrics, kept in plain maps and rendered in the text exposition format (0.0.4);
 * a dependency for five series is not worth its weight.
 */

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface WebhookMetrics {
  request(path: string, code: number): void;
  mutation(mode: string): void;
  skipped(reason: string): void;
  error(kind: string): void;
  observeLatency(seconds: number): void;
  render(): string;
}

export function createMetrics(): WebhookMetrics {
  const requests = new Map<string, number>();
  const mutations = new Map<string, number>();
  const skipped = new Map<string, number>();
  const errors = new Map<string, number>();
  const bucketCounts = new Array<number>(BUCKETS.length).fill(0);
  let sum = 0;
  let count = 0;
  const inc = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);

  return {
    request: (path, code) => inc(requests, `path="${esc(path)}",code="${code}"`),
    mutation: (mode) => inc(mutations, `mode="${esc(mode)}"`),
    skipped: (reason) => inc(skipped, `reason="${esc(reason)}"`),
    error: (kind) => inc(errors, `kind="${esc(kind)}"`),
    observeLatency(seconds) {
      sum += seconds;
      count++;
      for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) bucketCounts[i]!++;
    },
    render() {
      const out: string[] = [];
      const counter = (name: string, help: string, m: Map<string, number>) => {
        out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
        for (const [labels, v] of m) out.push(`${name}{${labels}} ${v}`);
      };
      counter('irsakit_webhook_requests_total', 'HTTP requests by path and status code.', requests);
      counter('irsakit_webhook_mutations_total', 'Pods patched, by mode (irsa, pod-identity).', mutations);
      counter('irsakit_webhook_skipped_total', 'Pods admitted without a patch, by reason.', skipped);
      counter('irsakit_webhook_errors_total', 'Rejected or failed admission requests, by kind.', errors);
      const h = 'irsakit_webhook_request_duration_seconds';
      out.push(`# HELP ${h} Time to answer POST /mutate.`, `# TYPE ${h} histogram`);
      BUCKETS.forEach((b, i) => {
        out.push(`${h}_bucket{le="${b}"} ${bucketCounts[i]}`);
      });
      out.push(`${h}_bucket{le="+Inf"} ${count}`, `${h}_sum ${sum}`, `${h}_count ${count}`);
      return `${out.join('\n')}\n`;
    },
  };
}

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
