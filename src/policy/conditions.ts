import { compileGlob, globDisplay, type Matcher } from './glob.js';
import { ipInCidr, parseCidr, parseIp } from './ip.js';
import type { RequestView } from './request-view.js';
import { parseTemplate, resolveTemplate, type Template } from './template.js';

/** Thrown while compiling a statement; parsePolicy turns it into MalformedPolicyDocument with a position. */
export class PolicyCompileError extends Error {}

type Family =
  | 'string'
  | 'stringIc'
  | 'stringLike'
  | 'numeric'
  | 'date'
  | 'bool'
  | 'binary'
  | 'ip'
  | 'arn'
  | 'null';
type Cmp = 'eq' | 'lt' | 'le' | 'gt' | 'ge';

interface OpSpec {
  family: Family;
  cmp: Cmp;
  negated: boolean;
  /** Whether policy variables are substituted in this operator's values (reference_policies_variables.html). */
  variables: boolean;
}

const op = (family: Family, negated = false, cmp: Cmp = 'eq', variables = false): OpSpec => ({
  family,
  cmp,
  negated,
  variables,
});

/** Every operator of reference_policies_elements_condition_operators.html. */
export const OPERATORS: Readonly<Record<string, OpSpec>> = {
  StringEquals: op('string', false, 'eq', true),
  StringNotEquals: op('string', true, 'eq', true),
  StringEqualsIgnoreCase: op('stringIc', false, 'eq', true),
  StringNotEqualsIgnoreCase: op('stringIc', true, 'eq', true),
  StringLike: op('stringLike', false, 'eq', true),
  StringNotLike: op('stringLike', true, 'eq', true),
  NumericEquals: op('numeric'),
  NumericNotEquals: op('numeric', true),
  NumericLessThan: op('numeric', false, 'lt'),
  NumericLessThanEquals: op('numeric', false, 'le'),
  NumericGreaterThan: op('numeric', false, 'gt'),
  NumericGreaterThanEquals: op('numeric', false, 'ge'),
  DateEquals: op('date'),
  DateNotEquals: op('date', true),
  DateLessThan: op('date', false, 'lt'),
  DateLessThanEquals: op('date', false, 'le'),
  DateGreaterThan: op('date', false, 'gt'),
  DateGreaterThanEquals: op('date', false, 'ge'),
  Bool: op('bool', false, 'eq', true),
  BinaryEquals: op('binary'),
  IpAddress: op('ip'),
  NotIpAddress: op('ip', true),
  ArnEquals: op('arn', false, 'eq', true),
  ArnLike: op('arn', false, 'eq', true),
  ArnNotEquals: op('arn', true, 'eq', true),
  ArnNotLike: op('arn', true, 'eq', true),
  Null: op('null'),
};

export const SET_NONE = 0;
export const SET_ALL = 1;
export const SET_ANY = 2;

/** Positive test of one request value against all the policy values (OR). */
type AnyMatch = (v: string, view: RequestView) => boolean;

export interface CompiledCondition {
  /** As written, e.g. "ForAnyValue:StringLike". */
  readonly operator: string;
  /** Without qualifier and IfExists, e.g. "StringLike". */
  readonly baseOperator: string;
  readonly family: Family;
  readonly negated: boolean;
  readonly ifExists: boolean;
  readonly set: 0 | 1 | 2;
  readonly key: string;
  readonly keyLower: string;
  readonly rawValues: readonly string[];
  /** Null: whether the policy asks for absence (true) or presence (false), per value. */
  readonly nullValues: readonly boolean[];
  readonly anyMatch: AnyMatch;
}

/** Splits "ForAnyValue:StringLikeIfExists" into its parts; undefined for an unknown operator. */
export function parseOperator(
  name: string,
): { base: string; spec: OpSpec; set: 0 | 1 | 2; ifExists: boolean } | undefined {
  let rest = name;
  let set: 0 | 1 | 2 = SET_NONE;
  if (rest.startsWith('ForAllValues:')) {
    set = SET_ALL;
    rest = rest.slice('ForAllValues:'.length);
  } else if (rest.startsWith('ForAnyValue:')) {
    set = SET_ANY;
    rest = rest.slice('ForAnyValue:'.length);
  }
  let ifExists = false;
  if (rest.endsWith('IfExists')) {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  const spec = Object.hasOwn(OPERATORS, rest) ? OPERATORS[rest] : undefined;
  if (!spec) return undefined;
  // "You cannot use IfExists with the Null condition operator" (condition operators page).
  if (spec.family === 'null' && ifExists) return undefined;
  return { base: rest, spec, set, ifExists };
}

const LEGACY = 'The policy failed legacy parsing';

export function compileCondition(
  operator: string,
  key: string,
  values: readonly string[],
  variables: boolean,
): CompiledCondition {
  const parsed = parseOperator(operator);
  if (!parsed) throw new PolicyCompileError('Syntax errors in policy.');
  const { spec } = parsed;
  const useVars = variables && spec.variables;
  let anyMatch: AnyMatch;
  const nullValues: boolean[] = [];
  switch (spec.family) {
    case 'string':
      anyMatch = stringMatcher(
        values.map((v) => parseTemplate(v, useVars)),
        false,
      );
      break;
    case 'stringIc':
      anyMatch = stringMatcher(
        values.map((v) => parseTemplate(v, useVars)),
        true,
      );
      break;
    case 'stringLike':
      anyMatch = likeMatcher(
        values.map((v) => parseTemplate(v, useVars)),
        'plain',
      );
      break;
    case 'arn':
      anyMatch = likeMatcher(
        values.map((v) => parseTemplate(v, useVars)),
        'arncond',
        true,
      );
      break;
    case 'bool':
      anyMatch = boolMatcher(values.map((v) => parseTemplate(v, useVars)));
      break;
    case 'numeric': {
      const nums = values.map((v) => {
        const n = parseNumber(v);
        if (n === undefined) throw new PolicyCompileError(LEGACY);
        return n;
      });
      anyMatch = orderedMatcher(nums, spec.cmp, parseNumber);
      break;
    }
    case 'date': {
      const dates = values.map((v) => {
        const d = parseDate(v);
        if (d === undefined) throw new PolicyCompileError(LEGACY);
        return d;
      });
      anyMatch = orderedMatcher(dates, spec.cmp, parseDate);
      break;
    }
    case 'binary': {
      const bins = values.map(normBase64);
      anyMatch = (v) => {
        const x = normBase64(v);
        for (let i = 0; i < bins.length; i++) if (bins[i] === x) return true;
        return false;
      };
      break;
    }
    case 'ip': {
      const cidrs = values.map((v) => {
        const c = parseCidr(v);
        if (!c) throw new PolicyCompileError(LEGACY);
        return c;
      });
      anyMatch = (v) => {
        const ip = parseIp(v.includes('/') ? v.slice(0, v.indexOf('/')) : v);
        if (!ip) return false;
        for (let i = 0; i < cidrs.length; i++) if (ipInCidr(ip, cidrs[i]!)) return true;
        return false;
      };
      break;
    }
    case 'null':
      for (const v of values) nullValues.push(v.toLowerCase() === 'true');
      anyMatch = () => false;
      break;
  }
  return {
    operator,
    baseOperator: parsed.base,
    family: spec.family,
    negated: spec.negated,
    ifExists: parsed.ifExists,
    set: parsed.set,
    key,
    keyLower: key.toLowerCase(),
    rawValues: values,
    nullValues,
    anyMatch,
  };
}

function stringMatcher(ts: Template[], ignoreCase: boolean): AnyMatch {
  const dynamic = ts.some((t) => t.parts !== undefined);
  if (!dynamic) {
    const lits = ts.map((t) => (ignoreCase ? t.literal.toLowerCase() : t.literal));
    if (lits.length === 1) {
      const only = lits[0]!;
      return ignoreCase ? (v) => v.toLowerCase() === only : (v) => v === only;
    }
    const set = new Set(lits);
    return ignoreCase ? (v) => set.has(v.toLowerCase()) : (v) => set.has(v);
  }
  return (v, view) => {
    const x = ignoreCase ? v.toLowerCase() : v;
    for (let i = 0; i < ts.length; i++) {
      const r = resolveTemplate(ts[i]!, false, view);
      if (r !== undefined && (ignoreCase ? r.toLowerCase() : r) === x) return true;
    }
    return false;
  };
}

function likeMatcher(ts: Template[], mode: 'plain' | 'arncond', arn = false): AnyMatch {
  const statics: (Matcher | undefined)[] = ts.map((t) =>
    t.parts === undefined ? compileGlob(t.glob, mode) : undefined,
  );
  return (v, view) => {
    // ArnLike compares the six ARN parts; a value that is not an ARN matches no pattern.
    if (arn && !isArnShaped(v)) return false;
    for (let i = 0; i < ts.length; i++) {
      let m = statics[i];
      if (m === undefined) {
        const src = resolveTemplate(ts[i]!, true, view);
        if (src === undefined) continue;
        m = compileGlob(src, mode);
      }
      if (m(v)) return true;
    }
    return false;
  };
}

function isArnShaped(v: string): boolean {
  if (!v.startsWith('arn:')) return false;
  let at = 0;
  for (let n = 0; n < 5; n++) {
    at = v.indexOf(':', at) + 1;
    if (at === 0) return false;
  }
  return true;
}

function boolMatcher(ts: Template[]): AnyMatch {
  return (v, view) => {
    const x = v.toLowerCase();
    for (let i = 0; i < ts.length; i++) {
      const r = resolveTemplate(ts[i]!, false, view);
      if (r !== undefined && r.toLowerCase() === x) return true;
    }
    return false;
  };
}

function orderedMatcher(ps: number[], cmp: Cmp, parse: (s: string) => number | undefined): AnyMatch {
  return (v) => {
    const x = parse(v);
    if (x === undefined) return false;
    for (let i = 0; i < ps.length; i++) {
      const p = ps[i]!;
      switch (cmp) {
        case 'eq':
          if (x === p) return true;
          break;
        case 'lt':
          if (x < p) return true;
          break;
        case 'le':
          if (x <= p) return true;
          break;
        case 'gt':
          if (x > p) return true;
          break;
        case 'ge':
          if (x >= p) return true;
          break;
      }
    }
    return false;
  };
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;

export function parseNumber(s: string): number | undefined {
  const t = s.trim();
  if (!NUMBER.test(t)) return undefined;
  return Number(t);
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const EPOCH = /^-?\d{1,12}(?:\.\d+)?$/;

/**
 * Date condition values: "W3C implementations of the ISO 8601 date formats" or epoch time in seconds
 * (condition operators page, Date condition operators). Returns milliseconds since the epoch.
 */
export function parseDate(s: string): number | undefined {
  const t = s.trim();
  if (EPOCH.test(t)) return Number(t) * 1000;
  const m = ISO.exec(t);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    Number(h) > 24 ||
    Number(mi) > 59 ||
    Number(sec) > 60
  ) {
    return undefined;
  }
  let ms = Date.UTC(
    Number(y),
    month - 1,
    day,
    Number(h),
    Number(mi),
    Number(sec),
    Number(`0.${frac || '0'}`) * 1000,
  );
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
    ms -= sign * offset * 60_000;
  }
  return ms;
}

function normBase64(s: string): string {
  return Buffer.from(s, 'base64').toString('base64');
}

/**
 * One condition (one operator, one key): reference_policies_elements_condition_operators.html and
 * reference_policies_condition-single-vs-multi-valued-context-keys.html.
 * - Missing key: positive operators false, negated operators true, `…IfExists` true, `ForAllValues` true,
 *   `ForAnyValue` false; `Null` tests presence.
 * - Several policy values: OR; for negated operators NOR ("matches none").
 * - A multivalued request value needs a set qualifier; without one the condition does not match.
 */
export function evalCondition(c: CompiledCondition, view: RequestView): boolean {
  const raw = view.lookup(c.key, c.keyLower);
  if (c.family === 'null') {
    const present = raw !== undefined;
    const nv = c.nullValues;
    for (let i = 0; i < nv.length; i++) if (nv[i] ? !present : present) return true;
    return false;
  }
  if (raw === undefined) {
    view.noteMissing(c.key);
    if (c.ifExists || c.set === SET_ALL) return true;
    if (c.set === SET_ANY) return false;
    return c.negated;
  }
  if (c.set === SET_NONE) {
    let v: string;
    if (typeof raw === 'string') v = raw;
    else if (raw.length === 1) v = raw[0]!;
    else return false;
    const r = c.anyMatch(v, view);
    return c.negated ? !r : r;
  }
  if (typeof raw === 'string') {
    const r = c.anyMatch(raw, view);
    return c.negated ? !r : r;
  }
  if (c.set === SET_ALL) {
    for (let i = 0; i < raw.length; i++) {
      const r = c.anyMatch(raw[i]!, view);
      if (c.negated ? r : !r) return false;
    }
    return true;
  }
  for (let i = 0; i < raw.length; i++) {
    const r = c.anyMatch(raw[i]!, view);
    if (c.negated ? !r : r) return true;
  }
  return false;
}

/** Display form of a condition's policy values (wildcards as written). */
export function conditionValuesDisplay(c: CompiledCondition): string[] {
  return c.rawValues.map((v) => globDisplay(v));
}
