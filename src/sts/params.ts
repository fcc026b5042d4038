import type { QueryParams } from '../aws/index.js';
import { commonErrors, validationError } from '../aws/index.js';

/**
 * Model constraints of STS inputs (botocore sts/2011-06-15 service-2.json), reported as AWS's Coral validation
 * does: every failure of the request counted in one "N validation errors detected: …" ValidationError.
 */
export class Problems {
  readonly items: string[] = [];

  private value(v: string | null, sensitive: boolean): string {
    if (v === null) return 'Value null';
    // Stricter than AWS (documented): sensitive members (the web identity token) are never echoed back.
    return sensitive ? 'Value' : `Value '${v}'`;
  }

  add(field: string, v: string | null, constraint: string, sensitive = false): void {
    this.items.push(
      `${this.value(v, sensitive)} at '${field}' failed to satisfy constraint: Member ${constraint}`,
    );
  }

  required(field: string, v: string | undefined): v is string {
    if (v === undefined) {
      this.add(field, null, 'must not be null');
      return false;
    }
    return true;
  }

  length(field: string, v: string, min: number, max: number, sensitive = false): void {
    // Lengths count UTF-16 code units as Java's String.length does.
    if (v.length < min) this.add(field, v, `must have length greater than or equal to ${min}`, sensitive);
    if (v.length > max) this.add(field, v, `must have length less than or equal to ${max}`, sensitive);
  }

  pattern(field: string, v: string, re: RegExp, shown: string, sensitive = false): void {
    if (!re.test(v)) this.add(field, v, `must satisfy regular expression pattern: ${shown}`, sensitive);
  }

  throwIfAny(): void {
    if (this.items.length > 0) throw validationError(this.items);
  }
}

export const SESSION_NAME_RE = /^[\w+=,.@-]*$/;
export const SESSION_NAME_SHOWN = '[\\w+=,.@-]*';
// The model's patterns, printed as AWS prints them.
const ARN_RE = /^[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]+$/u;
const ARN_SHOWN =
  '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+';
const POLICY_RE = /^[\u0009\u000A\u000D\u0020-\u00FF]+$/;
const POLICY_SHOWN = '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+';
const EXTERNAL_ID_RE = /^[\w+=,.@:/-]*$/;
const TAG_KEY_RE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u;
const TAG_VALUE_RE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** X.member.N values in order of N. */
export function memberList(params: QueryParams, prefix: string, suffix = ''): string[] {
  const found: [number, string][] = [];
  const head = `${prefix}.member.`;
  for (const [k, v] of params) {
    if (!k.startsWith(head) || !k.endsWith(suffix)) continue;
    const n = k.slice(head.length, k.length - suffix.length);
    if (/^[1-9]\d{0,4}$/.test(n)) found.push([Number(n), v]);
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

export interface CommonAssumeParams {
  readonly roleArn: string;
  readonly roleSessionName: string;
  readonly durationSeconds: number | undefined;
  readonly policy: string | undefined;
  readonly policyArns: string[];
}

/** RoleArn, RoleSessionName, DurationSeconds, Policy, PolicyArns: shared by AssumeRole and …WithWebIdentity. */
export function checkCommon(params: QueryParams, p: Problems): CommonAssumeParams {
  const roleArn = params.get('RoleArn');
  if (p.required('roleArn', roleArn)) {
    p.length('roleArn', roleArn, 20, 2048);
    p.pattern('roleArn', roleArn, ARN_RE, ARN_SHOWN);
  }
  const roleSessionName = params.get('RoleSessionName');
  if (p.required('roleSessionName', roleSessionName)) {
    p.length('roleSessionName', roleSessionName, 2, 64);
    p.pattern('roleSessionName', roleSessionName, SESSION_NAME_RE, SESSION_NAME_SHOWN);
  }
  const rawDuration = params.get('DurationSeconds');
  let durationSeconds: number | undefined;
  if (rawDuration !== undefined) {
    if (!/^-?\d{1,10}$/.test(rawDuration.trim())) {
      p.add('durationSeconds', rawDuration, 'must be an integer');
    } else {
      durationSeconds = Number(rawDuration.trim());
      if (durationSeconds < 900)
        p.add('durationSeconds', rawDuration, 'must have value greater than or equal to 900');
      if (durationSeconds > 43200)
        p.add('durationSeconds', rawDuration, 'must have value less than or equal to 43200');
    }
  }
  const policy = params.get('Policy');
  if (policy !== undefined) {
    p.length('policy', policy, 1, 2048);
    if (policy.length > 0) p.pattern('policy', policy, POLICY_RE, POLICY_SHOWN);
  }
  const policyArns = memberList(params, 'PolicyArns', '.arn');
  if (policyArns.length > 10) {
    p.add('policyArns', `[${policyArns.join(', ')}]`, 'must have length less than or equal to 10');
  }
  for (const arn of policyArns) p.length('policyArns.member.arn', arn, 20, 2048);
  return {
    roleArn: roleArn ?? '',
    roleSessionName: roleSessionName ?? '',
    durationSeconds,
    policy,
    policyArns,
  };
}

export function checkExternalId(params: QueryParams, p: Problems): string | undefined {
  const v = params.get('ExternalId');
  if (v === undefined) return undefined;
  p.length('externalId', v, 2, 1224);
  p.pattern('externalId', v, EXTERNAL_ID_RE, '[\\w+=,.@:\\/-]*');
  return v;
}

export function checkSourceIdentity(params: QueryParams, p: Problems): string | undefined {
  const v = params.get('SourceIdentity');
  if (v === undefined) return undefined;
  p.length('sourceIdentity', v, 2, 64);
  p.pattern('sourceIdentity', v, SESSION_NAME_RE, SESSION_NAME_SHOWN);
  return v;
}

/** Tags.member.N.Key/Value (≤ 50; key 1–128, value 0–256) and TransitiveTagKeys.member.N. */
export function checkTags(
  params: QueryParams,
  p: Problems,
): { tags: Record<string, string>; transitive: string[] } {
  const keys = memberList(params, 'Tags', '.Key');
  const values = memberList(params, 'Tags', '.Value');
  if (keys.length > 50) p.add('tags', `[${keys.length} tags]`, 'must have length less than or equal to 50');
  const tags: Record<string, string> = {};
  keys.forEach((k, i) => {
    const v = values[i] ?? '';
    p.length('tags.member.key', k, 1, 128);
    if (k.length > 0) p.pattern('tags.member.key', k, TAG_KEY_RE, '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+');
    p.length('tags.member.value', v, 0, 256);
    p.pattern('tags.member.value', v, TAG_VALUE_RE, '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*');
    tags[k] = v;
  });
  const transitive = memberList(params, 'TransitiveTagKeys');
  if (transitive.length > 50)
    p.add('transitiveTagKeys', `[${transitive.join(', ')}]`, 'must have length less than or equal to 50');
  return { tags, transitive };
}

/** arn:aws:iam::ACCT:role/[path/]NAME, or ValidationError "Request ARN is invalid" as STS answers. */
export function parseRoleArn(arn: string): { account: string; name: string } {
  const m = /^arn:aws:iam::(\d{12}):role\/(?:[\u0021-\u007E]*\/)?([\w+=,.@-]{1,64})$/.exec(arn);
  if (!m) throw commonErrors.validation('Request ARN is invalid');
  return { account: m[1] as string, name: m[2] as string };
}
