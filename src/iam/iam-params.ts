import { AwsError, type QueryParams } from '../aws/service.js';

/** A constraint from the IAM model (botocore iam/2010-05-08): length, pattern as the model prints it. */
export interface StringRule {
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: readonly [RegExp, string];
}

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

// Shapes of the IAM model, with the pattern text AWS prints in its validation messages.
export const RULES = {
  roleName: { min: 1, max: 64, pattern: [/^[\w+=,.@-]+$/, '[\\w+=,.@-]+'] },
  policyName: { min: 1, max: 128, pattern: [/^[\w+=,.@-]+$/, '[\\w+=,.@-]+'] },
  instanceProfileName: { min: 1, max: 128, pattern: [/^[\w+=,.@-]+$/, '[\\w+=,.@-]+'] },
  path: {
    min: 1,
    max: 512,
    pattern: [/^(\/|\/[\u0021-\u007E]+\/)$/, '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)'],
  },
  policyPath: {
    min: 1,
    max: 512,
    pattern: [/^((\/[A-Za-z0-9.,+@=_-]+)*)\/$/, '((/[A-Za-z0-9\\.,\\+@=_-]+)*)/'],
  },
  pathPrefix: { min: 1, max: 512, pattern: [/^\/[\u0021-\u007F]*$/, '\\u002F[\\u0021-\\u007F]*'] },
  policyDocument: {
    min: 1,
    max: 131072,
    pattern: [/^[\u0009\u000A\u000D\u0020-\u00FF]+$/, '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+'],
  },
  arn: { min: 20, max: 2048 },
  description: {
    min: 0,
    max: 1000,
    pattern: [
      /^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$/,
      '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*',
    ],
  },
  oidcUrl: { min: 1, max: 255 },
  clientId: { min: 1, max: 255 },
  thumbprint: { min: 40, max: 40 },
  tagKey: {
    min: 1,
    max: 128,
    pattern: [/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+'],
  },
  tagValue: {
    min: 0,
    max: 256,
    pattern: [/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*'],
  },
  marker: { min: 1, max: 320, pattern: [/^[\u0020-\u00FF]+$/, '[\\u0020-\\u00FF]+'] },
  versionId: { pattern: [/^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/, 'v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?'] },
} satisfies Record<string, StringRule>;

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/**
 * Reads Query parameters and collects AWS-style validation failures, so one call reports all of them as
 * AWS does: "2 validation errors detected: Value 'x' at 'roleName' failed to satisfy constraint: …; …".
 */
export class IamParams {
  private readonly errors: string[] = [];

  constructor(private readonly params: QueryParams) {}

  /** A string parameter; `required` adds AWS's "Member must not be null". */
  string(name: string, rule: StringRule = {}, required = false): string | undefined {
    return this.check(name, lowerFirst(name), this.params.get(name), rule, required);
  }

  required(name: string, rule: StringRule = {}): string {
    return this.string(name, rule, true) ?? '';
  }

  int(name: string, min: number, max: number): number | undefined {
    const raw = this.params.get(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    const at = lowerFirst(name);
    if (!Number.isInteger(n)) {
      this.errors.push(`Value '${raw}' at '${at}' failed to satisfy constraint: Member must be an integer`);
    } else if (n < min) {
      this.errors.push(
        `Value '${raw}' at '${at}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`,
      );
    } else if (n > max) {
      this.errors.push(
        `Value '${raw}' at '${at}' failed to satisfy constraint: Member must have value less than or equal to ${max}`,
      );
    }
    return n;
  }

  bool(name: string): boolean | undefined {
    const raw = this.params.get(name);
    return raw === undefined ? undefined : raw.toLowerCase() === 'true';
  }

  /** A list sent as `Name.member.N`; `undefined` when absent (an empty list is sent as `Name=`). */
  list(name: string, rule: StringRule = {}, required = false): string[] | undefined {
    const values = this.members(name);
    if (values === undefined) {
      if (required) this.nullError(lowerFirst(name));
      return undefined;
    }
    values.forEach((v, i) => {
      this.check(name, `${lowerFirst(name)}.${i + 1}.member`, v, rule, false);
    });
    return values;
  }

  /** `Tags.member.N.Key` / `.Value`. */
  tags(name = 'Tags'): Tag[] {
    const out: Tag[] = [];
    for (let i = 1; ; i++) {
      const key = this.params.get(`${name}.member.${i}.Key`);
      const value = this.params.get(`${name}.member.${i}.Value`);
      if (key === undefined && value === undefined) break;
      const at = `${lowerFirst(name)}.${i}.member`;
      const k = this.check(name, `${at}.key`, key, RULES.tagKey, true) ?? '';
      const v = this.check(name, `${at}.value`, value, RULES.tagValue, true) ?? '';
      out.push({ Key: k, Value: v });
    }
    return out;
  }

  /** `Name.member.N` values in order, or undefined when the parameter is absent. */
  members(name: string): string[] | undefined {
    const out: string[] = [];
    for (let i = 1; ; i++) {
      const v = this.params.get(`${name}.member.${i}`);
      if (v === undefined) break;
      out.push(v);
    }
    if (out.length === 0 && !this.params.has(name)) return undefined;
    return out;
  }

  raw(name: string): string | undefined {
    return this.params.get(name);
  }

  /** Throws AWS's ValidationError when any check failed. Call after reading every parameter. */
  done(): void {
    if (this.errors.length === 0) return;
    const n = this.errors.length;
    throw new AwsError(
      'ValidationError',
      `${n} validation error${n === 1 ? '' : 's'} detected: ${this.errors.join('; ')}`,
      400,
    );
  }

  private nullError(at: string): void {
    this.errors.push(`Value null at '${at}' failed to satisfy constraint: Member must not be null`);
  }

  private check(
    _name: string,
    at: string,
    value: string | undefined,
    rule: StringRule,
    required: boolean,
  ): string | undefined {
    if (value === undefined) {
      if (required) this.nullError(at);
      return undefined;
    }
    const shown = `Value '${value}' at '${at}' failed to satisfy constraint:`;
    const len = [...value].length;
    if (rule.min !== undefined && len < rule.min) {
      this.errors.push(`${shown} Member must have length greater than or equal to ${rule.min}`);
    } else if (rule.max !== undefined && len > rule.max) {
      this.errors.push(`${shown} Member must have length less than or equal to ${rule.max}`);
    } else if (rule.pattern && !rule.pattern[0].test(value)) {
      this.errors.push(`${shown} Member must satisfy regular expression pattern: ${rule.pattern[1]}`);
    }
    return value;
  }
}
