import { globSource } from './glob.js';

/**
 * A policy string that may hold policy variables (reference_policies_variables.html): `${aws:username}`,
 * `${aws:PrincipalTag/team, 'default'}`, and the escapes `${*}`, `${?}`, `${$}`. Variables are only
 * recognised in policies with Version 2012-10-17; otherwise the text is literal.
 */
export interface Template {
  /** The original text. */
  readonly raw: string;
  /** Undefined when the text has no variable: then `literal`/`glob` are the whole value. */
  readonly parts: readonly TemplatePart[] | undefined;
  /** The literal value (escapes resolved) when there is no variable. */
  readonly literal: string;
  /** The glob source (wildcards marked) when there is no variable. */
  readonly glob: string;
  /** The variable keys, for reporting. */
  readonly keys: readonly string[];
}

export type TemplatePart =
  | { readonly lit: string; readonly glob: string }
  | { readonly key: string; readonly keyLower: string; readonly def: string | undefined };

const VAR = /^\s*([^\s,]+)\s*(?:,\s*'([^']*)'\s*)?$/;

export function parseTemplate(raw: string, variables: boolean): Template {
  if (!variables || !raw.includes('${')) {
    return { raw, parts: undefined, literal: raw, glob: globSource(raw), keys: [] };
  }
  const parts: TemplatePart[] = [];
  const keys: string[] = [];
  let lit = '';
  let glob = '';
  let i = 0;
  const flush = () => {
    if (lit !== '') parts.push({ lit, glob });
    lit = '';
    glob = '';
  };
  while (i < raw.length) {
    const open = raw.indexOf('${', i);
    if (open < 0) {
      lit += raw.slice(i);
      glob += globSource(raw.slice(i));
      break;
    }
    lit += raw.slice(i, open);
    glob += globSource(raw.slice(i, open));
    const close = raw.indexOf('}', open + 2);
    if (close < 0) {
      // No closing brace: not a variable, keep the text as written.
      lit += raw.slice(open);
      glob += globSource(raw.slice(open));
      break;
    }
    const inner = raw.slice(open + 2, close);
    if (inner === '*' || inner === '?' || inner === '$') {
      // Escapes: the character itself, never a wildcard.
      lit += inner;
      glob += inner;
    } else {
      const m = VAR.exec(inner);
      if (m) {
        flush();
        const key = m[1]!;
        parts.push({ key, keyLower: key.toLowerCase(), def: m[2] });
        keys.push(key);
      } else {
        lit += raw.slice(open, close + 1);
        glob += globSource(raw.slice(open, close + 1));
      }
    }
    i = close + 1;
  }
  flush();
  if (keys.length === 0) {
    const only = parts[0] as { lit: string; glob: string } | undefined;
    return { raw, parts: undefined, literal: only?.lit ?? '', glob: only?.glob ?? '', keys };
  }
  return { raw, parts, literal: raw, glob: globSource(raw), keys };
}

/** Looks up a single-valued context key; multivalued keys cannot be variables (MULTI). */
export interface VariableLookup {
  lookupSingle(key: string, keyLower: string): string | undefined;
}

/**
 * Resolves the template; `undefined` when a variable has no value and no default ("If there is no value
 * … the condition does not match" / the resource entry matches nothing). Substituted values are literal.
 */
export function resolveTemplate(t: Template, asGlob: boolean, lookup: VariableLookup): string | undefined {
  const parts = t.parts;
  if (parts === undefined) return asGlob ? t.glob : t.literal;
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if ('lit' in p) out += asGlob ? p.glob : p.lit;
    else {
      const v = lookup.lookupSingle(p.key, p.keyLower) ?? p.def;
      if (v === undefined) return undefined;
      out += v;
    }
  }
  return out;
}
