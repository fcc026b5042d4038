import { ERROR_CODES, type ErrorCode } from './codes.js';

/**
 * irsakit's own error family. Every failure that a user can cause or see carries a stable `code`
 * (documented in codes.ts and the README) so that callers and tests branch on the code, never on text.
 * AWS wire errors are a separate family (src/aws), rendered by the protocol layer.
 */
export class IrsakitError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'IrsakitError';
    this.code = code;
    this.details = details;
  }

  get summary(): string {
    return ERROR_CODES[this.code];
  }
}

export function isIrsakitError(err: unknown): err is IrsakitError {
  return err instanceof IrsakitError;
}
