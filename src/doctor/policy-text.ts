import { IrsakitError } from '../errors/index.js';

/**
 * The text of a policy document as the tools emit it: an object (the AWS CLI and boto3 decode IAM documents,
 * botocore `json_decode_policies`), a JSON string (Organizations `Content`, S3 `Policy`), or the URL-encoded JSON
 * string of the IAM Query API (Go v2 and JS v3 SDKs return it as is). Objects are pretty-printed so that the
 * engine's line numbers point at something a person can read.
 */
export function policyText(value: unknown, where: string): string {
  if (value !== null && typeof value === 'object') return JSON.stringify(value, null, 2);
  if (typeof value !== 'string')
    throw new IrsakitError('ERR_INPUT', `${where}: a policy document must be an object or a string`);
  const t = value.trim();
  if (t.startsWith('{')) return reindent(t);
  if (t.startsWith('%7B') || t.startsWith('%7b')) {
    try {
      return reindent(decodeURIComponent(t.replace(/\+/g, '%20')));
    } catch {
      throw new IrsakitError('ERR_INPUT', `${where}: the URL-encoded policy document does not decode`);
    }
  }
  throw new IrsakitError('ERR_INPUT', `${where}: not a policy document (expected JSON or URL-encoded JSON)`);
}

/** A one-line JSON string becomes indented text (the document's meaning is unchanged); multi-line text is kept. */
function reindent(text: string): string {
  if (text.includes('\n')) return text;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text; // the policy parser reports the syntax error with its position
  }
}
