import type { SourcePosition } from './types.js';

/** Offsets of an object or array in the source text, and of each key of an object. */
export interface NodeSpan {
  start: number;
  end: number;
  keys?: Map<string, number>;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type JsonParseResult =
  | { ok: true; value: JsonValue; spans: WeakMap<object, NodeSpan> }
  | { ok: false; offset: number; message: string };

/**
 * A small JSON parser that remembers where each object and array sits in the text, so that a policy error or a
 * deciding statement can be pointed at by line and column. It also rejects duplicate keys, which the IAM
 * policy grammar forbids (reference_policies_grammar.html) and JSON.parse would silently accept.
 */
export function parseJsonWithSpans(text: string): JsonParseResult {
  const spans = new WeakMap<object, NodeSpan>();
  let i = 0;
  const n = text.length;

  class Fail extends Error {
    constructor(
      readonly at: number,
      msg: string,
    ) {
      super(msg);
    }
  }

  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };

  const str = (): string => {
    // text[i] === '"'
    i++;
    let out = '';
    let from = i;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        out += text.slice(from, i);
        i++;
        return out;
      }
      if (c === 92) {
        out += text.slice(from, i);
        const e = text[i + 1];
        i += 2;
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const hex = text.slice(i, i + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new Fail(i, 'bad unicode escape');
            out += String.fromCharCode(Number.parseInt(hex, 16));
            i += 4;
            break;
          }
          default:
            throw new Fail(i - 1, 'bad escape');
        }
        from = i;
        continue;
      }
      if (c < 32) throw new Fail(i, 'control character in string');
      i++;
    }
    throw new Fail(i, 'unterminated string');
  };

  const value = (): JsonValue => {
    ws();
    if (i >= n) throw new Fail(i, 'unexpected end of input');
    const c = text[i];
    if (c === '{') {
      const start = i;
      i++;
      const obj: { [key: string]: JsonValue } = Object.create(null);
      const keys = new Map<string, number>();
      ws();
      if (text[i] === '}') {
        i++;
        spans.set(obj, { start, end: i, keys });
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') throw new Fail(i, 'expected a key');
        const keyAt = i;
        const key = str();
        if (keys.has(key)) throw new Fail(keyAt, `duplicate key ${key}`);
        keys.set(key, keyAt);
        ws();
        if (text[i] !== ':') throw new Fail(i, "expected ':'");
        i++;
        obj[key] = value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          break;
        }
        throw new Fail(i, "expected ',' or '}'");
      }
      spans.set(obj, { start, end: i, keys });
      return obj;
    }
    if (c === '[') {
      const start = i;
      i++;
      const arr: JsonValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        spans.set(arr, { start, end: i });
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          break;
        }
        throw new Fail(i, "expected ',' or ']'");
      }
      spans.set(arr, { start, end: i });
      return arr;
    }
    if (c === '"') return str();
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = i;
    const hit = m.exec(text);
    if (hit && hit[0].length > 0) {
      i += hit[0].length;
      return Number(hit[0]);
    }
    throw new Fail(i, `unexpected character ${JSON.stringify(c)}`);
  };

  try {
    const v = value();
    ws();
    if (i < n) throw new Fail(i, 'unexpected text after the document');
    return { ok: true, value: v, spans };
  } catch (err) {
    if (err instanceof Fail) return { ok: false, offset: err.at, message: err.message };
    throw err;
  }
}

/** Maps offsets to 1-based line/column positions. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  position(offset: number): SourcePosition {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - s[lo]! + 1, offset };
  }
}

/**
 * The number of characters IAM counts against a size quota: every character except whitespace outside string
 * literals ("IAM doesn't count white space when calculating the size of a policy", reference_iam-quotas.html).
 */
export function countWithoutWhitespace(text: string): number {
  let count = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      count++;
      if (c === 92) {
        count++;
        i++;
      } else if (c === 34) inString = false;
    } else if (c === 32 || c === 9 || c === 10 || c === 13) {
      // not counted
    } else {
      count++;
      if (c === 34) inString = true;
    }
  }
  return count;
}
