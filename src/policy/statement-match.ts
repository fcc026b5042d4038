import { evalCondition } from './conditions.js';
import { matchPrincipal, PM_DIRECT, PM_NONE, type PrincipalMatch } from './principals.js';
import type { RequestView } from './request-view.js';
import type { CompiledPolicy, CompiledStatement } from './types.js';

/** The statements of a policy that can match the request's service (pre-indexed at compile time). */
export function candidates(policy: CompiledPolicy, service: string): readonly CompiledStatement[] {
  return policy.byService.get(service) ?? policy.anyService;
}

/**
 * Whether a statement applies to the request: action, resource, principal and every condition (AND). Returns
 * how the principal was named (PM_DIRECT for statements without a Principal element), or PM_NONE.
 * `hasBoundary`: "NotPrincipal with Deny … always denies principals that have a permissions boundary"
 * (access_policies_boundaries.html, reference_policies_elements_notprincipal.html).
 */
export function statementMatch(
  st: CompiledStatement,
  view: RequestView,
  hasBoundary: boolean,
): PrincipalMatch {
  if (!st.actions.match(view.actionLower)) return PM_NONE;
  if (st.resources !== null && !st.resources.match(view)) return PM_NONE;
  let pm: PrincipalMatch = PM_DIRECT;
  const pr = st.principals;
  if (pr !== null) {
    if (pr.negated) {
      if (st.effect === 'Deny' && hasBoundary) pm = PM_DIRECT;
      else pm = matchPrincipal(pr, view.principal) === PM_NONE ? PM_DIRECT : PM_NONE;
    } else pm = matchPrincipal(pr, view.principal);
    if (pm === PM_NONE) return PM_NONE;
  }
  const cs = st.conditions;
  for (let i = 0; i < cs.length; i++) if (!evalCondition(cs[i]!, view)) return PM_NONE;
  return pm;
}
