import { isHarkError } from '../engine/errors';
import { isApiErrorCode, type ApiErrorCode, type ApiErrorInfo, type Reply } from './contract';
import { SchemaError } from './schema';

/**
 * An error with a contract code, thrown by hosts (and by the renderer's client when a reply fails).
 *
 * @example
 * throw new ApiError('NOT_FOUND', 'no transcript with this id');
 */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly file: string | undefined;

  constructor(
    code: ApiErrorCode,
    message: string,
    options: { file?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.file = options.file;
  }

  static from(info: ApiErrorInfo): ApiError {
    return new ApiError(
      info.code,
      info.message,
      info.file === undefined ? {} : { file: info.file },
    );
  }

  toInfo(): ApiErrorInfo {
    return this.file === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, file: this.file };
  }
}

/** Any thrown value as the contract's error shape; unknown errors become INTERNAL. */
export function toApiErrorInfo(error: unknown): ApiErrorInfo {
  if (error instanceof ApiError) return error.toInfo();
  if (isHarkError(error)) {
    return error.file === undefined
      ? { code: error.code, message: error.detail }
      : { code: error.code, message: error.detail, file: error.file };
  }
  if (error instanceof SchemaError) return { code: 'INVALID_ARGUMENT', message: error.message };
  if (isApiErrorInfo(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message: message || 'unexpected error' };
}

export function isApiErrorInfo(value: unknown): value is ApiErrorInfo {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return isApiErrorCode(candidate.code) && typeof candidate.message === 'string';
}

export function ok<T>(value: T): Reply<T> {
  return { ok: true, value };
}

export function fail(error: unknown): Reply<never> {
  return { ok: false, error: toApiErrorInfo(error) };
}

/** The value of a reply, or throws its error as an ApiError. */
export function unwrap<T>(reply: Reply<T>): T {
  if (reply.ok) return reply.value;
  throw ApiError.from(reply.error);
}
