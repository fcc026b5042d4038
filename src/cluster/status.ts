import type { Status } from './types.js';

/**
 * A failure as the API server reports it. Thrown inside the cluster domain and rendered at the HTTP edge
 * as a `Status` object with the same message, reason and code as kube-apiserver.
 */
export class StatusError extends Error {
  readonly status: Status;
  constructor(code: number, reason: string, message: string, details?: Status['details']) {
    super(message);
    this.name = 'StatusError';
    this.status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      ...(details ? { details } : {}),
      code,
    };
  }
}

export function isStatusError(err: unknown): err is StatusError {
  return err instanceof StatusError;
}

/** Resource (plural) names as the API server writes them in messages: `pods "x" not found`. */
export function resourceOf(kind: string): string {
  switch (kind) {
    case 'Pod':
      return 'pods';
    case 'ServiceAccount':
      return 'serviceaccounts';
    case 'Namespace':
      return 'namespaces';
    case 'Node':
      return 'nodes';
    case 'MutatingWebhookConfiguration':
      return 'mutatingwebhookconfigurations.admissionregistration.k8s.io';
    default:
      return `${kind.toLowerCase()}s`;
  }
}

export function notFound(kind: string, name: string): StatusError {
  const resource = resourceOf(kind);
  return new StatusError(404, 'NotFound', `${resource} "${name}" not found`, {
    name,
    kind: resource.split('.')[0]!,
    ...(resource.includes('.') ? { group: resource.slice(resource.indexOf('.') + 1) } : {}),
  });
}

export function alreadyExists(kind: string, name: string): StatusError {
  const resource = resourceOf(kind);
  return new StatusError(409, 'AlreadyExists', `${resource} "${name}" already exists`, {
    name,
    kind: resource.split('.')[0]!,
  });
}

/** `Pod "x" is invalid: [a, b]` (one cause is printed bare, several in brackets, as apimachinery does). */
export function invalid(kind: string, name: string, causes: FieldError[]): StatusError {
  const list = causes.map((c) => c.message);
  const joined = list.length === 1 ? list[0]! : `[${list.join(', ')}]`;
  return new StatusError(422, 'Invalid', `${kind} "${name}" is invalid: ${joined}`, {
    name,
    kind: resourceOf(kind).split('.')[0]!,
    causes: causes.map((c) => ({
      reason: c.type,
      message: c.message.slice(c.field.length + 2),
      field: c.field,
    })),
  });
}

export function forbidden(kind: string, name: string, why: string): StatusError {
  const resource = resourceOf(kind);
  return new StatusError(403, 'Forbidden', `${resource} "${name}" is forbidden: ${why}`, {
    name,
    kind: resource.split('.')[0]!,
  });
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

export function internalError(message: string): StatusError {
  return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, {
    causes: [{ reason: '', message, field: '' }],
  });
}

/** A field problem in the API server's words: `spec.containers[0].name: Required value`. */
export interface FieldError {
  readonly field: string;
  readonly type:
    | 'FieldValueRequired'
    | 'FieldValueInvalid'
    | 'FieldValueNotSupported'
    | 'FieldValueForbidden'
    | 'FieldValueDuplicate';
  readonly message: string;
}

export function required(field: string): FieldError {
  return { field, type: 'FieldValueRequired', message: `${field}: Required value` };
}

export function invalidValue(field: string, value: unknown, why: string): FieldError {
  return { field, type: 'FieldValueInvalid', message: `${field}: Invalid value: ${goValue(value)}: ${why}` };
}

export function notSupported(field: string, value: unknown, allowed: readonly string[]): FieldError {
  return {
    field,
    type: 'FieldValueNotSupported',
    message: `${field}: Unsupported value: ${goValue(value)}: supported values: ${allowed.map((a) => `"${a}"`).join(', ')}`,
  };
}

export function duplicate(field: string, value: unknown): FieldError {
  return { field, type: 'FieldValueDuplicate', message: `${field}: Duplicate value: ${goValue(value)}` };
}

export function forbiddenField(field: string, why: string): FieldError {
  return { field, type: 'FieldValueForbidden', message: `${field}: Forbidden: ${why}` };
}

/** Values printed as apimachinery prints them: strings quoted, numbers bare. */
function goValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? 'null';
}
