import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFinetuneArgs } from '../../../src-main/cli/finetune-args';
import { isHarkError } from '../../../src-main/engine/errors';
import {
  checkEnoughData,
  DEFAULT_MINIMUM_DATA,
} from '../../../src-main/engine/profiles/minimum-data';
import { defaultUserDataDir } from '../../../src-main/engine/user-data-dir';
import {
  defaultProfilesRoot,
  sameProfileName,
  validateProfileName,
} from '../../../src-main/engine/profiles/profile-paths';

const clips = (count: number, seconds: number) =>
  Array.from({ length: count }, () => ({ durationSec: seconds }));

describe('profile names', () => {
  it('accepts portable folder names and refuses the rest', () => {
    expect(validateProfileName('  Ada Lovelace ')).toBe('Ada Lovelace');
    expect(validateProfileName("Zoë O'Neil-2")).toBe("Zoë O'Neil-2");
    for (const bad of [
      '',
      '   ',
      '../x',
      'a/b',
      'a\\b',
      '.hidden',
      'name.',
      'CON',
      'lpt1',
      'x'.repeat(65),
      'a:b',
    ]) {
      expect(() => validateProfileName(bad), bad).toThrow(/profile name/);
    }
  });

  it('compares names the way a case-insensitive file system does', () => {
    expect(sameProfileName('Ada', 'ADA')).toBe(true);
    expect(sameProfileName('Zoe\u0308', 'ZOË')).toBe(true);
    expect(sameProfileName('Ada', 'Adam')).toBe(false);
  });

  it('puts profiles under $HARK_DATA_DIR when it is set', () => {
    expect(defaultProfilesRoot({ HARK_DATA_DIR: '/data/hark' })).toBe(
      join('/data/hark', 'profiles'),
    );
  });

  it("otherwise shares the desktop app's profiles, in its user-data folder", () => {
    expect(defaultProfilesRoot({ XDG_CONFIG_HOME: '/x' }, 'linux')).toBe(
      join(defaultUserDataDir('Hark', { XDG_CONFIG_HOME: '/x' }, 'linux'), 'profiles'),
    );
    expect(defaultProfilesRoot({ XDG_CONFIG_HOME: '/x' }, 'linux')).toBe(join('/x/Hark/profiles'));
    expect(defaultProfilesRoot({ APPDATA: 'C:/Users/a/AppData/Roaming' }, 'win32')).toBe(
      join('C:/Users/a/AppData/Roaming', 'Hark', 'profiles'),
    );
    expect(defaultProfilesRoot({}, 'darwin')).toMatch(/Library.Application Support.Hark.profiles$/);
  });
});

describe('the minimum amount of data', () => {
  it('says how many more recordings and seconds a run needs', () => {
    expect(() => checkEnoughData(clips(5, 2), DEFAULT_MINIMUM_DATA)).not.toThrow();
    const error = (() => {
      try {
        checkEnoughData(clips(3, 3), DEFAULT_MINIMUM_DATA);
      } catch (e) {
        return e;
      }
    })();
    expect(isHarkError(error) && error.code).toBe('NOT_ENOUGH_DATA');
    expect((error as Error).message).toContain(
      'the profile has 3 (9.0 s): add 2 more recordings with at least 1.0 s more speech',
    );
    // Enough recordings but too short: it asks for the seconds.
    expect(() => checkEnoughData(clips(6, 1), DEFAULT_MINIMUM_DATA)).toThrow(
      /add 4 more recordings with at least 4\.0 s more speech$/,
    );
    expect(() => checkEnoughData([], DEFAULT_MINIMUM_DATA)).toThrow(/has 0 \(0\.0 s\): add 5 more/);
    // Enough speech but too few recordings: it asks for the recordings alone.
    expect(() => checkEnoughData(clips(4, 3), DEFAULT_MINIMUM_DATA)).toThrow(
      /has 4 \(12\.0 s\): add 1 more recording$/,
    );
  });
});

describe('finetune arguments', () => {
  it('parses the options with their defaults', () => {
    const args = parseFinetuneArgs([
      '--profile',
      'Ada',
      '--data',
      'a.jsonl',
      '--data',
      'b.jsonl',
      '--create',
    ]);
    expect(args).toMatchObject({
      profile: 'Ada',
      manifests: ['a.jsonl', 'b.jsonl'],
      create: true,
      keep: 'auto',
      maxTrainingSec: 120,
      device: 'cpu',
    });
    expect(parseFinetuneArgs(['--profile=Bo', '--max-sec', '30', '--keep', 'no']).keep).toBe('no');
    expect(args.maxSteps).toBeUndefined();
    expect(parseFinetuneArgs(['--profile', 'Bo', '--max-steps', '400']).maxSteps).toBe(400);
  });

  it('refuses bad arguments with a usage message', () => {
    expect(() => parseFinetuneArgs([])).toThrow('--profile NAME is required');
    expect(() => parseFinetuneArgs(['--profile', 'a', '--max-sec', '0'])).toThrow(/positive/);
    expect(() => parseFinetuneArgs(['--profile', 'a', '--keep', 'maybe'])).toThrow(/--keep/);
    expect(() => parseFinetuneArgs(['--profile', 'a', '--max-steps', '2.5'])).toThrow(
      /--max-steps must be a whole number/,
    );
    expect(() => parseFinetuneArgs(['--profile', 'a', '--max-steps', '0'])).toThrow(/positive/);
    expect(() => parseFinetuneArgs(['--profile', 'a', '--bogus'])).toThrow(/bogus/);
    expect(() => parseFinetuneArgs(['--profile', 'a', 'stray'])).toThrow(/unexpected argument/);
  });
});
