import { describe, expect, it } from 'vitest';
import {
  API_ERROR_CODES,
  checkParams,
  isRequestName,
  REQUEST_NAMES,
  REQUESTS,
} from '../../../src-main/api/contract';
import { ERROR_CODES } from '../../../src-main/engine/errors';
import {
  array,
  number,
  object,
  oneOf,
  optional,
  record,
  SchemaError,
  string,
} from '../../../src-main/api/schema';

describe('schema', () => {
  const job = object({
    id: string({ maxLength: 8, pattern: /^[a-z]+$/ }),
    count: optional(number({ min: 0, max: 10, integer: true })),
    tags: array(oneOf(['a', 'b'] as const), { maxLength: 2 }),
  });

  it('accepts a valid value and leaves out absent optional fields', () => {
    expect(job.check({ id: 'abc', tags: ['a'] }, 'job')).toEqual({ id: 'abc', tags: ['a'] });
  });

  it.each([
    [{ id: 'abc', tags: [], extra: 1 }, 'job.extra is not a known field'],
    [{ tags: [] }, 'job.id is required'],
    [{ id: 'ABC', tags: [] }, 'job.id must match'],
    [{ id: 'abc', tags: ['c'] }, 'job.tags[0] must be one of "a", "b"'],
    [{ id: 'abc', tags: ['a', 'b', 'a'] }, 'job.tags must have at most 2 items'],
    [{ id: 'abc', tags: [], count: 1.5 }, 'job.count must be an integer'],
    [{ id: 'abc', tags: [], count: Number.NaN }, 'job.count must be a finite number'],
    [[], 'job must be an object, got an array'],
    [{ id: 'a\u0000b', tags: [] }, 'job.id must not contain NUL'],
  ])('refuses %j naming the field', (value, problem) => {
    expect(() => job.check(value, 'job')).toThrow(SchemaError);
    expect(() => job.check(value, 'job')).toThrow(problem);
  });

  it('refuses objects that are not plain (prototype tricks)', () => {
    const edits = record(string());
    expect(() => edits.check(new Date(), 'edits')).toThrow('edits must be an object');
    const checked = edits.check(JSON.parse('{"__proto__": "x"}'), 'edits');
    expect(Object.keys(checked)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(checked)).toBe(Object.prototype);
  });
});

describe('contract', () => {
  it('keeps every engine error code and adds the hosts’ own', () => {
    for (const code of ERROR_CODES) expect(API_ERROR_CODES).toContain(code);
    expect(API_ERROR_CODES).toEqual(
      expect.arrayContaining(['NOT_FOUND', 'ENGINE_CRASHED', 'FORBIDDEN']),
    );
    expect(new Set(API_ERROR_CODES).size).toBe(API_ERROR_CODES.length);
  });

  it('lists every request by name, and only those', () => {
    expect(REQUEST_NAMES).toEqual(Object.keys(REQUESTS));
    expect(isRequestName('addFiles')).toBe(true);
    expect(isRequestName('toString')).toBe(false);
    expect(isRequestName('__proto__')).toBe(false);
  });

  it('validates request params against the contract', () => {
    expect(checkParams('addFiles', { paths: ['/a.wav'] })).toEqual({ paths: ['/a.wav'] });
    expect(checkParams('listQueue', undefined)).toEqual({});
    expect(() => checkParams('addFiles', { paths: [] })).toThrow(
      'addFiles params.paths must have at least 1 items',
    );
    expect(() => checkParams('exportTranscript', { id: 'x', format: 'docx' })).toThrow(
      /format must be one of/,
    );
    expect(() => checkParams('updateSettings', { device: 'tpu' })).toThrow(/device must be one of/);
    expect(() => checkParams('saveEdits', { id: 'x', edits: { '0:1': 5 } })).toThrow(
      /edits\.0:1 must be a string/,
    );
    expect(() => checkParams('getTranscript', { id: '../../etc/passwd' })).toThrow(/id must match/);
    expect(() =>
      checkParams('saveEdits', { id: 'x', edits: JSON.parse('{"__proto__": "x"}') }),
    ).toThrow(/edits\.__proto__ is not a valid key/);
  });
});
