import { compileGlob, globSource, type Matcher } from './glob.js';

/**
 * Action / NotAction (reference_policies_elements_action.html): `service:Name` globs, matched
 * case-insensitively against the whole action. Patterns are lower-cased once here; the request action once
 * per evaluation.
 */
export interface ActionMatcher {
  readonly negated: boolean;
  readonly patterns: readonly string[];
  /** Lower-case service prefixes named, or undefined when a pattern can match any service. */
  readonly services: readonly string[] | undefined;
  readonly match: (actionLower: string) => boolean;
}

export function compileActions(patterns: readonly string[], negated: boolean): ActionMatcher {
  const matchers: Matcher[] = [];
  const services = new Set<string>();
  let anyService = negated;
  for (const p of patterns) {
    const lower = p.toLowerCase();
    matchers.push(compileGlob(globSource(lower), 'plain'));
    const colon = lower.indexOf(':');
    const svc = colon < 0 ? lower : lower.slice(0, colon);
    if (svc.includes('*') || svc.includes('?') || colon < 0) anyService = true;
    else services.add(svc);
  }
  const positive: (a: string) => boolean =
    matchers.length === 1
      ? matchers[0]!
      : (a) => {
          for (let i = 0; i < matchers.length; i++) if (matchers[i]!(a)) return true;
          return false;
        };
  return {
    negated,
    patterns,
    services: anyService ? undefined : [...services],
    match: negated ? (a) => !positive(a) : positive,
  };
}
