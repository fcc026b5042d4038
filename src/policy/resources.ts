import { compileGlob, type Matcher } from './glob.js';
import type { RequestView } from './request-view.js';
import { parseTemplate, resolveTemplate, type Template } from './template.js';

/**
 * Resource / NotResource (reference_policies_elements_resource.html). ARNs are matched case-sensitively with
 * `*` and `?`; policy variables (2012-10-17 only) are resolved per request, and an entry whose variable has no
 * value matches nothing (reference_policies_variables.html).
 */
export interface ResourceMatcher {
  readonly negated: boolean;
  readonly patterns: readonly string[];
  readonly match: (view: RequestView) => boolean;
  /** Whether one entry matches (for explanations). */
  readonly matchEntry: (i: number, view: RequestView) => boolean;
}

export function compileResources(
  patterns: readonly string[],
  negated: boolean,
  variables: boolean,
): ResourceMatcher {
  const templates: Template[] = patterns.map((p) => parseTemplate(p, variables));
  const statics: (Matcher | undefined)[] = templates.map((t) =>
    t.parts === undefined ? compileGlob(t.glob, 'arn') : undefined,
  );
  const entry = (i: number, view: RequestView): boolean => {
    let m = statics[i];
    if (m === undefined) {
      const src = resolveTemplate(templates[i]!, true, view);
      if (src === undefined) return false;
      m = compileGlob(src, 'arn');
    }
    return m(view.resource);
  };
  let positive: (view: RequestView) => boolean;
  const only = statics.length === 1 ? statics[0] : undefined;
  if (only !== undefined) positive = (view) => only(view.resource);
  else {
    positive = (view) => {
      for (let i = 0; i < statics.length; i++) if (entry(i, view)) return true;
      return false;
    };
  }
  return { negated, patterns, match: negated ? (v) => !positive(v) : positive, matchEntry: entry };
}
