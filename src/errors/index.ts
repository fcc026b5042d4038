export { ERROR_CODES, type ErrorCode } from './codes.js';
export { IrsakitError, isIrsakitError } from './irsakit-error.js';
