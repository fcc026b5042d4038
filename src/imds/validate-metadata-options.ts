import type { MetadataOptions } from './types.js';

export interface MetadataOptionsInput {
  HttpTokens?: unknown;
  HttpPutResponseHopLimit?: unknown;
  HttpEndpoint?: unknown;
}

/**
 * Merges a change into the current options as ModifyInstanceMetadataOptions does (omitted fields keep their
 * value). Returns the new options or the problems, each naming the parameter (EC2's InvalidParameterValue).
 */
export function validateMetadataOptions(
  current: MetadataOptions,
  change: MetadataOptionsInput,
): { ok: true; options: MetadataOptions } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const next = { ...current };
  if (change.HttpTokens !== undefined) {
    if (change.HttpTokens === 'optional' || change.HttpTokens === 'required')
      next.HttpTokens = change.HttpTokens;
    else
      problems.push(
        `Invalid value '${String(change.HttpTokens)}' for HttpTokens. Valid values: optional, required.`,
      );
  }
  if (change.HttpEndpoint !== undefined) {
    if (change.HttpEndpoint === 'enabled' || change.HttpEndpoint === 'disabled')
      next.HttpEndpoint = change.HttpEndpoint;
    else
      problems.push(
        `Invalid value '${String(change.HttpEndpoint)}' for HttpEndpoint. Valid values: enabled, disabled.`,
      );
  }
  if (change.HttpPutResponseHopLimit !== undefined) {
    const raw = change.HttpPutResponseHopLimit;
    const n = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 64) next.HttpPutResponseHopLimit = n;
    else problems.push(`Invalid value '${String(raw)}' for HttpPutResponseHopLimit. Expecting 1-64.`);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, options: Object.freeze(next) };
}
