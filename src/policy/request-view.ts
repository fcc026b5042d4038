import type { EvaluationRequest, RequestPrincipal } from './types.js';

export type ContextValue = string | string[];

const IAM_TYPES = new Set(['Account', 'User', 'Role', 'AssumedRole']);

/**
 * The request as the matchers see it: the lower-cased action, and condition keys looked up
 * case-insensitively (reference_policies_elements_condition.html: "Condition key names are not case-sensitive").
 * Keys the caller did not supply but that follow from the principal (aws:PrincipalArn, aws:PrincipalAccount,
 * aws:userid, aws:username, aws:PrincipalType, aws:PrincipalTag/*, aws:PrincipalIsAWSService,
 * aws:ResourceAccount) are derived as AWS populates them (reference_policies_condition-keys.html); a value in
 * the context always wins.
 */
export class RequestView {
  readonly action: string;
  readonly actionLower: string;
  readonly service: string;
  readonly principal: RequestPrincipal;
  readonly resource: string;
  readonly resourceAccount: string;
  /** Keys that a condition needed and the request did not have, in first-seen order. */
  missing: string[] | undefined;

  constructor(readonly request: EvaluationRequest) {
    this.action = request.action;
    this.actionLower = request.action.toLowerCase();
    const colon = this.actionLower.indexOf(':');
    this.service = colon < 0 ? this.actionLower : this.actionLower.slice(0, colon);
    this.principal = request.principal;
    this.resource = request.resource;
    this.resourceAccount =
      request.resourceAccount ?? arnAccount(request.resource) ?? request.principal.accountId;
  }

  lookup(key: string, keyLower: string): ContextValue | undefined {
    const ctx = this.request.context;
    const direct = ctx[key];
    if (typeof direct === 'string' || Array.isArray(direct)) return direct;
    // Case-insensitive fallback without allocating: compare lengths first, lower-case only candidates.
    const len = key.length;
    for (const k in ctx) {
      if (k.length === len && k.toLowerCase() === keyLower) {
        const v = ctx[k];
        if (typeof v === 'string' || Array.isArray(v)) return v;
      }
    }
    return this.derived(keyLower);
  }

  /** A single value for policy variables; multivalued keys have none. */
  lookupSingle(key: string, keyLower: string): string | undefined {
    const v = this.lookup(key, keyLower);
    if (v === undefined) {
      this.noteMissing(key);
      return undefined;
    }
    if (typeof v === 'string') return v;
    return v.length === 1 ? v[0] : undefined;
  }

  noteMissing(key: string): void {
    if (this.missing === undefined) this.missing = [key];
    else if (!this.missing.includes(key)) this.missing.push(key);
  }

  private derived(k: string): ContextValue | undefined {
    const p = this.principal;
    if (k === 'aws:resourceaccount') return this.request.resourceAccount;
    if (!k.startsWith('aws:')) return undefined;
    if (k === 'aws:principalisawsservice') {
      return p.type === 'Anonymous' ? undefined : p.type === 'Service' ? 'true' : 'false';
    }
    if (k === 'aws:principalservicename') return p.type === 'Service' ? p.arn : undefined;
    if (!IAM_TYPES.has(p.type)) return undefined;
    switch (k) {
      case 'aws:principalarn':
        return principalArnKey(p);
      case 'aws:principalaccount':
        return p.accountId;
      case 'aws:userid':
        return p.userId ?? (p.type === 'Account' ? p.accountId : undefined);
      case 'aws:username':
        return p.type === 'User' ? p.arn.slice(p.arn.lastIndexOf('/') + 1) : undefined;
      case 'aws:principaltype':
        return p.type === 'AssumedRole' && p.arn.includes(':federated-user/') ? 'FederatedUser' : p.type;
    }
    if (k.startsWith('aws:principaltag/') && p.tags) {
      const want = k.slice('aws:principaltag/'.length);
      for (const tk of Object.keys(p.tags)) if (tk.toLowerCase() === want) return p.tags[tk];
    }
    return undefined;
  }
}

/** aws:PrincipalArn: for a role session it is the role's ARN, never the session's (GKEYS aws:PrincipalArn). */
export function principalArnKey(p: RequestPrincipal): string {
  if (p.type === 'AssumedRole') return p.roleArn ?? roleArnFromSession(p.arn) ?? p.arn;
  return p.arn;
}

/** arn:aws:sts::A:assumed-role/R/S → arn:aws:iam::A:role/R (the role's path is not in the session ARN). */
export function roleArnFromSession(arn: string): string | undefined {
  const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : undefined;
}

/** The account field of an ARN, when it has one (S3 ARNs do not). */
export function arnAccount(arn: string): string | undefined {
  if (!arn.startsWith('arn:')) return undefined;
  let at = 0;
  for (let n = 0; n < 4; n++) {
    at = arn.indexOf(':', at) + 1;
    if (at === 0) return undefined;
  }
  const end = arn.indexOf(':', at);
  const acct = end < 0 ? '' : arn.slice(at, end);
  return /^\d{12}$/.test(acct) ? acct : undefined;
}
