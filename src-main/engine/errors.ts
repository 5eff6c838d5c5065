/**
 * Every failure the engine reports to a user carries a stable code (for the UI and the API
 * contract) and, where a file is involved, the file's path. The message is one readable line.
 *
 * @example
 * throw new HarkError('WAV_TRUNCATED', 'the data chunk ends before its declared size', { file });
 */
export const ERROR_CODES = [
  // Files and audio
  'FILE_NOT_FOUND',
  'FILE_UNREADABLE',
  'FILE_IS_DIRECTORY',
  'WAV_NOT_RIFF',
  'WAV_TRUNCATED',
  'WAV_BAD_HEADER',
  'WAV_UNSUPPORTED_CODEC',
  'WAV_BAD_SAMPLE_RATE',
  'WAV_NO_SAMPLES',
  'WAV_BAD_SAMPLES',
  // Models and runtime
  'MODEL_NOT_FOUND',
  'MODEL_INVALID',
  'CHECKPOINT_INVALID',
  'PROVIDER_UNAVAILABLE',
  'INFERENCE_FAILED',
  // Voice profiles
  'PROFILE_NOT_FOUND',
  'PROFILE_EXISTS',
  'PROFILE_INVALID',
  'PROFILE_BUSY',
  'RECORDING_REJECTED',
  'NOT_ENOUGH_DATA',
  'DISK_FULL',
  // Work control
  'CANCELLED',
  'INVALID_ARGUMENT',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class HarkError extends Error {
  readonly code: ErrorCode;
  readonly file: string | undefined;

  constructor(code: ErrorCode, message: string, options: { file?: string; cause?: unknown } = {}) {
    super(options.file ? `${options.file}: ${message}` : message, { cause: options.cause });
    this.name = 'HarkError';
    this.code = code;
    this.file = options.file;
  }

  /** The message without the file prefix. */
  get detail(): string {
    return this.file && this.message.startsWith(`${this.file}: `)
      ? this.message.slice(this.file.length + 2)
      : this.message;
  }
}

export function isHarkError(value: unknown): value is HarkError {
  return value instanceof HarkError;
}
