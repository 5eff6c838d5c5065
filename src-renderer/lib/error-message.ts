import { ApiError, isApiErrorInfo } from '../../src-main/api/api-error';

/**
 * What a notice says of an error: its message, after the file it is about when the message does
 * not name that file already.
 *
 * @example
 * notify('error', `The folder was not imported: ${errorMessage(error)}`);
 * // "The folder was not imported: /home/ada/takes: not found while listing the folder"
 */
export function errorMessage(error: unknown): string {
  // A thrown ApiError, or one as a state carries it (ApiErrorInfo: a training run's error).
  const message = error instanceof Error || isApiErrorInfo(error) ? error.message : String(error);
  const file = error instanceof ApiError || isApiErrorInfo(error) ? error.file : undefined;
  return file === undefined || message.includes(file) ? message : `${file}: ${message}`;
}
