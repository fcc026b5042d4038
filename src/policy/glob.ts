/**
 * Glob matchers for actions, resources, StringLike and ArnLike. A glob source is a string in which the two
 * wildcards are private-use marks (STAR, QMARK) and every other character is literal; that lets a resolved
 * policy variable or `${*}` carry a literal `*` (reference_policies_variables.html, "special characters").
 */
export const STAR = '\uE000';
export const QMARK = '\uE001';

export type Matcher = (s: string) => boolean;

/** `plain`: StringLike and actions; `arn`: the Resource element; `arncond`: ArnLike/ArnEquals values. */
export type GlobMode = 'plain' | 'arn' | 'arncond';

/** Turns policy text into a glob source: `*` and `?` are wildcards. */
export function globSource(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    out += c === '*' ? STAR : c === '?' ? QMARK : c;
  }
  return out;
}

/** Back to display text (wildcards as `*` and `?`). */
export function globDisplay(src: string): string {
  return src.replaceAll(STAR, '*').replaceAll(QMARK, '?');
}

export function hasWildcard(src: string): boolean {
  return src.includes(STAR) || src.includes(QMARK);
}

const cache = new Map<string, Matcher>();
const CACHE_MAX = 20_000;

const always: Matcher = () => true;

function escapeRe(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

/**
 * Compiles a glob source. In `arn` mode (resource ARNs, reference_policies_elements_resource.html), a
 * wildcard inside one of the first five colon-separated segments stays within that segment unless it is the
 * segment's last character, in which case it may run past the colons; after the fifth colon `*` matches
 * anything, `/` and `:` included. In `plain` mode (`StringLike`, actions, one part of an `ArnLike`), `*` is any
 * run of characters and `?` one character.
 */
export function compileGlob(src: string, mode: GlobMode): Matcher {
  const cacheKey = `${mode}\u0000${src}`;
  const hit = cache.get(cacheKey);
  if (hit) return hit;
  const m = build(src, mode);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(cacheKey, m);
  return m;
}

function build(src: string, mode: GlobMode): Matcher {
  if (!hasWildcard(src)) return (s) => s === src;
  if (src === STAR && mode !== 'arncond') return always;
  let restricted = mode === 'arncond';
  if (mode === 'arn') {
    let colons = 0;
    for (let i = 0; i < src.length; i++) {
      const c = src[i]!;
      if (c === ':') colons++;
      else if (colons < 5 && (c === QMARK || (c === STAR && i + 1 < src.length && src[i + 1] !== ':'))) {
        restricted = true;
        break;
      }
    }
  }
  if (!restricted && !src.includes(QMARK)) {
    const parts = src.split(STAR);
    if (parts.length === 2) {
      const [a, b] = parts as [string, string];
      if (b === '') return (s) => s.startsWith(a);
      if (a === '') return (s) => s.endsWith(b);
      const min = a.length + b.length;
      return (s) => s.length >= min && s.startsWith(a) && s.endsWith(b);
    }
  }
  let re = '^';
  let colons = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    const inPrefix = mode !== 'plain' && colons < 5;
    if (c === STAR) {
      // ArnLike keeps `*` inside one ARN part, except a final `*` of a pattern with fewer than six parts.
      const segmentEnd = mode === 'arncond' ? i + 1 >= src.length : i + 1 >= src.length || src[i + 1] === ':';
      re += inPrefix && !segmentEnd ? '[^:]*' : '.*';
    } else if (c === QMARK) {
      re += inPrefix ? '[^:]' : '.';
    } else {
      if (c === ':') colons++;
      re += escapeRe(c);
    }
  }
  re += '$';
  const rx = new RegExp(re, 's');
  return (s) => rx.test(s);
}
