import type { StepRecord } from './types.js';

const C = {
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  green: '\u001b[32m',
  red: '\u001b[31m',
  cyan: '\u001b[36m',
  yellow: '\u001b[33m',
  reset: '\u001b[0m',
};

export interface RenderOptions {
  readonly color: boolean;
  /** Terminal width for wrapping the sentence (default 100). */
  readonly width?: number;
}

/** One JSON object per line: the record as asserted. */
export function renderJson(r: StepRecord): string {
  return `${JSON.stringify(r)}\n`;
}

function wrap(text: string, width: number, indent: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const word of text.split(/\s+/)) {
    if (cur && (indent + cur + ' ' + word).length > width) {
      out.push(indent + cur);
      cur = word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) out.push(indent + cur);
  return out;
}

/** Data as indented YAML-like lines: short values inline, objects nested, long strings kept whole. */
function dataLines(value: unknown, indent: string, out: string[], key?: string): void {
  const head = key === undefined ? indent : `${indent}${key}:`;
  if (value === undefined) return;
  if (value === null || typeof value !== 'object') {
    const s = typeof value === 'string' ? value : JSON.stringify(value);
    out.push(key === undefined ? `${indent}${s}` : `${head} ${s}`);
    return;
  }
  if (Array.isArray(value)) {
    const flat = value.every((v) => v === null || typeof v !== 'object');
    const inline = JSON.stringify(value);
    if (flat && inline.length <= 90) {
      out.push(key === undefined ? `${indent}${inline}` : `${head} ${inline}`);
      return;
    }
    if (key !== undefined) out.push(head);
    for (const v of value) {
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        const sub: string[] = [];
        dataLines(v, `${indent}    `, sub);
        if (sub[0]) sub[0] = `${indent}  - ${sub[0].trimStart()}`;
        out.push(...sub);
      } else dataLines(v, `${indent}  - `, out);
    }
    return;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  const inline = JSON.stringify(value);
  if (
    key !== undefined &&
    inline.length <= 70 &&
    entries.every(([, v]) => v === null || typeof v !== 'object')
  ) {
    out.push(`${head} ${inline}`);
    return;
  }
  if (key !== undefined) out.push(head);
  const inner = key === undefined ? indent : `${indent}  `;
  for (const [k, v] of entries) dataLines(v, inner, out, k);
}

/** A record for a terminal: title with its verdict, the sentence, the real commands, the data. */
export function renderText(r: StepRecord, o: RenderOptions): string {
  const c = (code: string, s: string) => (o.color ? `${code}${s}${C.reset}` : s);
  const width = Math.max(o.width ?? 100, 60);
  const mark = r.ok ? c(C.green, '✓') : c(C.red, '✗');
  const out = [
    `${mark} ${c(C.bold, `${r.id}  ${r.title}`)}${r.ms !== undefined ? c(C.dim, `  (${r.ms} ms)`) : ''}`,
  ];
  out.push(...wrap(r.sentence, width, '  '));
  for (const cmd of r.command) out.push(c(C.cyan, `  $ ${cmd}`));
  const lines: string[] = [];
  dataLines(r.data, '    ', lines);
  out.push(...lines.map((l) => c(C.dim, l)));
  if (!r.ok && r.deviation) out.push(c(C.red, `  deviation: ${r.deviation}`));
  return `${out.join('\n')}\n\n`;
}

/** The closing line. */
export function renderSummary(records: readonly StepRecord[], ms: number, o: RenderOptions): string {
  const bad = records.filter((r) => !r.ok);
  const c = (code: string, s: string) => (o.color ? `${code}${s}${C.reset}` : s);
  return bad.length === 0
    ? `${c(C.green, `✓ all ${records.length} steps behaved as described`)} in ${(ms / 1000).toFixed(1)} s\n`
    : `${c(C.red, `✗ ${bad.length} of ${records.length} steps deviated`)}: ${bad.map((b) => b.id).join(', ')} (${(ms / 1000).toFixed(1)} s)\n`;
}

/** The progress line on stderr (TTY only): rewritten in place. */
export function progressLine(text: string, o: RenderOptions): string {
  return `\r\u001b[2K${o.color ? `${C.yellow}${text}${C.reset}` : text}`;
}
