import type { AwsError, QueryResult } from './service.js';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** ISO 8601 with whole seconds and a Z, as AWS's Query services write timestamps. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function valueXml(value: unknown): string {
  if (value instanceof Date) return isoSeconds(value);
  if (Array.isArray(value)) {
    let out = '';
    for (const item of value)
      if (item !== undefined && item !== null) out += `<member>${valueXml(item)}</member>`;
    return out;
  }
  if (typeof value === 'object' && value !== null) return fieldsXml(value as Record<string, unknown>);
  return xmlEscape(String(value));
}

function fieldsXml(obj: Record<string, unknown>): string {
  let out = '';
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === null) continue;
    out += `<${k}>${valueXml(v)}</${k}>`;
  }
  return out;
}

/** <XResponse xmlns><XResult>…</XResult><ResponseMetadata><RequestId/></ResponseMetadata></XResponse> */
export function renderQueryResponse(
  action: string,
  xmlns: string,
  result: QueryResult,
  requestId: string,
): string {
  // Operations without output (IAM Delete*, Put*, Attach*) omit the Result element, as IAM does.
  const body = result === undefined ? '' : `<${action}Result>${fieldsXml(result)}</${action}Result>`;
  return `<${action}Response xmlns="${xmlEscape(xmlns)}">${body}<ResponseMetadata><RequestId>${xmlEscape(requestId)}</RequestId></ResponseMetadata></${action}Response>`;
}

/** <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse> (RequestId at top level). */
export function renderQueryError(err: AwsError, xmlns: string | undefined, requestId: string): string {
  const ns = xmlns ? ` xmlns="${xmlEscape(xmlns)}"` : '';
  return `<ErrorResponse${ns}><Error><Type>${err.type}</Type><Code>${xmlEscape(err.code)}</Code><Message>${xmlEscape(err.message)}</Message></Error><RequestId>${xmlEscape(requestId)}</RequestId></ErrorResponse>`;
}
