/**
 * The registry of irsakit's own error codes. A code is never renamed or reused once released;
 * test/errors/codes.test.ts checks that every code used in src/ is listed here and in the README.
 */
export const ERROR_CODES = {
  ERR_CONFIG: 'configuration is invalid (every problem is listed in the message)',
  ERR_USAGE: 'the command line is malformed: unknown command, flag or missing argument',
  ERR_DATA_DIR_LOCKED: 'another irsakit process is using this data directory',
  ERR_PORT_IN_USE: 'a listener could not bind because its port is taken',
  ERR_STORE: 'the embedded store failed or holds an unreadable schema',
  ERR_INVALID_NAME: 'a Kubernetes object name is not a valid DNS-1123 label or subdomain',
  ERR_TOKEN_DURATION: 'a requested token lifetime is outside the allowed range',
  ERR_UNKNOWN_CLUSTER: 'no cluster with that name exists',
  ERR_ENDPOINT_UNREACHABLE: 'the irsakit endpoint given by --endpoint or IRSAKIT_ENDPOINT did not answer',
  ERR_INPUT: 'an input file or value is malformed (the message names the field)',
  ERR_POLICY: 'a policy document is malformed',
  ERR_NOT_FOUND: 'a named object does not exist',
  ERR_CONFLICT: 'the request conflicts with stored state',
  ERR_WEBHOOK: 'the admission webhook failed or refused the object',
  ERR_UNAUTHORIZED: 'the control API was called without the admin token',
  ERR_INTERNAL: 'an unexpected failure inside irsakit (a bug: please report it)',
  ERR_DEMO_STEP: 'a demo step did not behave as described',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
