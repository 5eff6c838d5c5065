/**
 * A very small runtime schema checker for the API contract's payloads. Each schema both checks an
 * unknown value and carries its TypeScript type, so the contract declares a payload once and the
 * static type is derived from it (`Infer<typeof schema>`).
 *
 * @example
 * const params = object({ jobId: string({ maxLength: 64 }) });
 * const checked = params.check(JSON.parse(text), 'params'); // throws SchemaError when invalid
 */

export class SchemaError extends Error {
  readonly at: string;

  constructor(at: string, problem: string) {
    super(`${at} ${problem}`);
    this.name = 'SchemaError';
    this.at = at;
  }
}

export interface Schema<T> {
  /** Returns the value typed as T, or throws a SchemaError naming the offending field. */
  check(value: unknown, at: string): T;
  /** Whether the field may be left out of an object. */
  readonly optional: boolean;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

export function string(
  options: { minLength?: number; maxLength?: number; pattern?: RegExp } = {},
): Schema<string> {
  const { minLength = 0, maxLength = 4096, pattern } = options;
  return {
    optional: false,
    check(value, at) {
      if (typeof value !== 'string')
        throw new SchemaError(at, `must be a string, got ${describe(value)}`);
      if (value.length < minLength)
        throw new SchemaError(at, `must have at least ${minLength} characters`);
      if (value.length > maxLength)
        throw new SchemaError(at, `must have at most ${maxLength} characters`);
      if (value.includes('\0')) throw new SchemaError(at, 'must not contain NUL characters');
      if (pattern && !pattern.test(value))
        throw new SchemaError(at, `must match ${String(pattern)}`);
      return value;
    },
  };
}

export function number(
  options: { min?: number; max?: number; integer?: boolean } = {},
): Schema<number> {
  const { min = -Infinity, max = Infinity, integer = false } = options;
  return {
    optional: false,
    check(value, at) {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new SchemaError(at, `must be a finite number, got ${describe(value)}`);
      }
      if (integer && !Number.isInteger(value)) throw new SchemaError(at, 'must be an integer');
      if (value < min || value > max)
        throw new SchemaError(at, `must be between ${min} and ${max}`);
      return value;
    },
  };
}

export function boolean(): Schema<boolean> {
  return {
    optional: false,
    check(value, at) {
      if (typeof value !== 'boolean')
        throw new SchemaError(at, `must be a boolean, got ${describe(value)}`);
      return value;
    },
  };
}

export function oneOf<const T extends readonly (string | number)[]>(choices: T): Schema<T[number]> {
  return {
    optional: false,
    check(value, at) {
      if (!choices.includes(value as T[number])) {
        throw new SchemaError(
          at,
          `must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`,
        );
      }
      return value as T[number];
    },
  };
}

export function array<T>(
  item: Schema<T>,
  options: { minLength?: number; maxLength?: number } = {},
): Schema<T[]> {
  const { minLength = 0, maxLength = 10_000 } = options;
  return {
    optional: false,
    check(value, at) {
      if (!Array.isArray(value))
        throw new SchemaError(at, `must be an array, got ${describe(value)}`);
      if (value.length < minLength)
        throw new SchemaError(at, `must have at least ${minLength} items`);
      if (value.length > maxLength)
        throw new SchemaError(at, `must have at most ${maxLength} items`);
      return value.map((entry, index) => item.check(entry, `${at}[${index}]`));
    },
  };
}

/** A plain object used as a map from string keys to values of one schema. */
export function record<T>(
  value: Schema<T>,
  options: { maxKeys?: number; keyPattern?: RegExp } = {},
): Schema<Record<string, T>> {
  const { maxKeys = 100_000, keyPattern } = options;
  return {
    optional: false,
    check(input, at) {
      if (!isPlainObject(input))
        throw new SchemaError(at, `must be an object, got ${describe(input)}`);
      const keys = Object.keys(input);
      if (keys.length > maxKeys) throw new SchemaError(at, `must have at most ${maxKeys} keys`);
      const out: Record<string, T> = {};
      for (const key of keys) {
        if (keyPattern && !keyPattern.test(key)) {
          throw new SchemaError(`${at}.${key}`, `is not a valid key (${String(keyPattern)})`);
        }
        // defineProperty: a key such as "__proto__" stays a plain key.
        Object.defineProperty(out, key, {
          value: value.check(input[key], `${at}.${key}`),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    },
  };
}

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = {
  [K in keyof S]: S[K]['optional'] extends true ? K : never;
}[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type ObjectOf<S extends Shape> = Simplify<
  { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> }
>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** An object with exactly these fields: unknown fields are refused, not silently dropped. */
export function object<S extends Shape>(shape: S): Schema<ObjectOf<S>> {
  return {
    optional: false,
    check(value, at) {
      if (!isPlainObject(value))
        throw new SchemaError(at, `must be an object, got ${describe(value)}`);
      for (const key of Object.keys(value)) {
        if (!Object.hasOwn(shape, key))
          throw new SchemaError(`${at}.${key}`, 'is not a known field');
      }
      const out: Record<string, unknown> = {};
      for (const [key, schema] of Object.entries(shape)) {
        const field = value[key];
        if (field === undefined) {
          if (!schema.optional) throw new SchemaError(`${at}.${key}`, 'is required');
          continue;
        }
        out[key] = schema.check(field, `${at}.${key}`);
      }
      return out as ObjectOf<S>;
    },
  };
}

export function optional<T>(
  schema: Schema<T>,
): Schema<T | undefined> & { readonly optional: true } {
  return {
    optional: true,
    check(value, at) {
      return value === undefined ? undefined : schema.check(value, at);
    },
  };
}

/** One of several object shapes told apart by a literal `kind` field. */
export function union<T>(schemas: Schema<T>[], describeChoices: string): Schema<T> {
  return {
    optional: false,
    check(value, at) {
      for (const schema of schemas) {
        try {
          return schema.check(value, at);
        } catch (error) {
          if (!(error instanceof SchemaError)) throw error;
        }
      }
      throw new SchemaError(at, `must be ${describeChoices}`);
    },
  };
}

export function literal<const T extends string>(value: T): Schema<T> {
  return oneOf([value] as const) as Schema<T>;
}
