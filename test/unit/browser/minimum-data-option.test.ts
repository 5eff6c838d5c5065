import { describe, expect, it } from 'vitest';
import { parseMinimumData } from '../../../src-main/browser/minimum-data-option';

describe('serve --test-minimum-data', () => {
  it('reads RECORDINGS,SECONDS and refuses anything else', () => {
    expect(parseMinimumData(undefined)).toBeUndefined();
    expect(parseMinimumData('3,2.5')).toEqual({ recordings: 3, speechSec: 2.5 });
    for (const bad of ['0,1', '3', 'a,b', '3,-1', '']) {
      expect(() => parseMinimumData(bad)).toThrow(/--test-minimum-data must be RECORDINGS,SECONDS/);
    }
  });
});
