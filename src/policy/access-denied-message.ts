import type { Decision } from './types.js';

/**
 * AWS's AccessDenied sentence (IAM UG "Troubleshoot access denied error messages"):
 * `User: <arn> is not authorized to perform: <action> on resource: "<resource>" because no identity-based policy
 * allows the <action> action`, or `… with an explicit deny in a service control policy`.
 */
export function accessDeniedMessage(
  principalArn: string,
  action: string,
  resource: string,
  d: Decision,
): string {
  const head = `User: ${principalArn} is not authorized to perform: ${action} on resource: "${resource}"`;
  return d.reason ? `${head} ${d.reason}` : head;
}
