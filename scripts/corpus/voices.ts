/**
 * The voices of the corpus and which of them are held out. A voice is one synthesizer setting
 * that stays fixed for an utterance: an espeak-ng accent with a voice variant, a flite voice, or
 * a festival voice. Held-out voices appear only in the test split, so the test measures speakers
 * the model has never heard:
 * - espeak-ng: two accents and several variants never used in training (a test voice has a
 *   held-out accent, a held-out variant, or both);
 * - flite `awb` (a Scottish male, no other synthesizer has him) and `kal16`;
 * - festival `kal_diphone` — the same recorded speaker as flite `kal16`, which is why both are
 *   held out: no trace of the kal speaker is in training.
 * Training keeps flite `rms`, `slt` and festival `cmu_us_slt_arctic_hts`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export type SynthesizerName = 'espeak' | 'flite' | 'festival';
export type Split = 'train' | 'dev' | 'test';
export const SPLITS: readonly Split[] = ['train', 'dev', 'test'];

/** How a pitch offset is realised: by the synthesizer's own parameter, or by `sox pitch`. */
export type PitchMethod = 'native' | 'sox';

export interface Voice {
  /** e.g. `espeak:en-gb-scotland+f2`, `flite:slt`, `festival:cmu_us_slt_arctic_hts` */
  id: string;
  synthesizer: SynthesizerName;
  /** espeak accent (`en-us`), flite voice (`slt`) or festival voice (`kal_diphone`). */
  name: string;
  /** espeak voice variant (`f2`, `klatt3`, `Andy`). */
  variant?: string;
  pitchMethod: PitchMethod;
  /** For flite's native pitch: the voice's own mean F0, that semitone offsets are relative to. */
  baseF0Hz?: number;
}

export const ESPEAK_TRAIN_ACCENTS = [
  'en',
  'en-us',
  'en-gb-scotland',
  'en-gb-x-gbclan',
  'en-gb-x-rp',
  'en-029',
] as const;
export const ESPEAK_HELD_OUT_ACCENTS = ['en-gb-x-gbcwmd', 'en-us-nyc'] as const;

/** Variants that sound like a person (robotic, whispering, echoing and extreme ones left out). */
export const ESPEAK_TRAIN_VARIANTS = [
  'm1',
  'm2',
  'm3',
  'm5',
  'm6',
  'm7',
  'm8',
  'f1',
  'f2',
  'f4',
  'f5',
  'klatt',
  'klatt2',
  'klatt4',
  'klatt5',
  'klatt6',
  'Alex',
  'Alicia',
  'Andrea',
  'Andy',
  'AnxiousAndy',
  'Denis',
  'Diogo',
  'Gene',
  'Gene2',
  'Henrique',
  'Hugo',
  'Jacky',
  'Lee',
  'Marco',
  'Mario',
  'Michael',
  'Mike',
  'Nguyen',
  'Storm',
  'Tweaky',
  'adam',
  'anika',
  'announcer',
  'antonio',
  'belinda',
  'benjamin',
  'boris',
  'david',
  'edward',
  'edward2',
  'grandma',
  'grandpa',
  'gustave',
  'iven',
  'iven2',
  'iven3',
  'iven4',
  'john',
  'kaukovalta',
  'linda',
  'marcelo',
  'max',
  'michel',
  'miguel',
  'norbert',
  'pablo',
  'pedro',
  'rob',
  'robert',
  'sandro',
  'shelby',
  'steph',
  'steph2',
  'steph3',
  'victor',
] as const;
export const ESPEAK_HELD_OUT_VARIANTS = [
  'f3',
  'Annie',
  'aunty',
  'm4',
  'klatt3',
  'ed',
  'paul',
  'quincy',
  'travis',
] as const;

export const FLITE_TRAIN_VOICES = ['rms', 'slt'] as const;
export const FLITE_HELD_OUT_VOICES = ['awb', 'kal16'] as const;
export const FESTIVAL_TRAIN_VOICES = ['cmu_us_slt_arctic_hts'] as const;
export const FESTIVAL_HELD_OUT_VOICES = ['kal_diphone'] as const;

/** Mean F0 of the flite voices at their defaults (measured), for `int_f0_target_mean`. */
const FLITE_BASE_F0_HZ: Record<string, number> = { slt: 170, awb: 128, kal16: 94 };

export function espeakVoice(accent: string, variant: string): Voice {
  return {
    id: `espeak:${accent}+${variant}`,
    synthesizer: 'espeak',
    name: accent,
    variant,
    pitchMethod: 'native',
  };
}

export function fliteVoice(name: string): Voice {
  const baseF0Hz = FLITE_BASE_F0_HZ[name];
  return baseF0Hz === undefined
    ? { id: `flite:${name}`, synthesizer: 'flite', name, pitchMethod: 'sox' }
    : { id: `flite:${name}`, synthesizer: 'flite', name, pitchMethod: 'native', baseF0Hz };
}

export function festivalVoice(name: string): Voice {
  return { id: `festival:${name}`, synthesizer: 'festival', name, pitchMethod: 'sox' };
}

/** The voices one split draws from, by synthesizer. */
export interface VoicePool {
  espeak: Voice[];
  flite: Voice[];
  festival: Voice[];
}

export interface VoiceCatalogue {
  /** Train and dev share these. */
  train: VoicePool;
  test: VoicePool;
  /** What is held out, for the corpus summary. */
  heldOut: {
    espeakAccents: string[];
    espeakVariants: string[];
    flite: string[];
    festival: string[];
  };
  /** Listed voices that this machine lacks (left out of both pools). */
  missing: string[];
}

export interface InstalledVoices {
  espeakVariants: ReadonlySet<string>;
  flite: ReadonlySet<string>;
  festival: ReadonlySet<string>;
}

/**
 * The catalogue of train and test voices, limited to what is installed.
 *
 * @example
 * const catalogue = buildVoiceCatalogue(detectInstalledVoices());
 * catalogue.test.flite.map((voice) => voice.name); // ['awb', 'kal16']
 */
export function buildVoiceCatalogue(installed: InstalledVoices): VoiceCatalogue {
  const missing: string[] = [];
  const keep = (names: readonly string[], available: ReadonlySet<string>, label: string) =>
    names.filter((name) => {
      if (available.has(name)) return true;
      missing.push(`${label}:${name}`);
      return false;
    });
  const trainVariants = keep(ESPEAK_TRAIN_VARIANTS, installed.espeakVariants, 'espeak-variant');
  const heldVariants = keep(ESPEAK_HELD_OUT_VARIANTS, installed.espeakVariants, 'espeak-variant');
  const allAccents = [...ESPEAK_TRAIN_ACCENTS, ...ESPEAK_HELD_OUT_ACCENTS];
  const heldAccents = new Set<string>(ESPEAK_HELD_OUT_ACCENTS);
  const heldVariantSet = new Set(heldVariants);
  const testEspeak: Voice[] = [];
  for (const accent of allAccents) {
    for (const variant of [...trainVariants, ...heldVariants]) {
      if (heldAccents.has(accent) || heldVariantSet.has(variant)) {
        testEspeak.push(espeakVoice(accent, variant));
      }
    }
  }
  const heldFlite = keep(FLITE_HELD_OUT_VOICES, installed.flite, 'flite');
  const heldFestival = keep(FESTIVAL_HELD_OUT_VOICES, installed.festival, 'festival');
  return {
    train: {
      espeak: ESPEAK_TRAIN_ACCENTS.flatMap((accent) =>
        trainVariants.map((variant) => espeakVoice(accent, variant)),
      ),
      flite: keep(FLITE_TRAIN_VOICES, installed.flite, 'flite').map(fliteVoice),
      festival: keep(FESTIVAL_TRAIN_VOICES, installed.festival, 'festival').map(festivalVoice),
    },
    test: {
      espeak: testEspeak,
      flite: heldFlite.map(fliteVoice),
      festival: heldFestival.map(festivalVoice),
    },
    heldOut: {
      espeakAccents: [...ESPEAK_HELD_OUT_ACCENTS],
      espeakVariants: heldVariants,
      flite: heldFlite,
      festival: heldFestival,
    },
    missing,
  };
}

/** Every listed voice, as if all were installed (for tests and planning without synthesizers). */
export function allListedVoices(): InstalledVoices {
  return {
    espeakVariants: new Set([...ESPEAK_TRAIN_VARIANTS, ...ESPEAK_HELD_OUT_VARIANTS]),
    flite: new Set([...FLITE_TRAIN_VOICES, ...FLITE_HELD_OUT_VOICES]),
    festival: new Set([...FESTIVAL_TRAIN_VOICES, ...FESTIVAL_HELD_OUT_VOICES]),
  };
}

const ESPEAK_VARIANT_DIRS = [
  '/usr/lib/x86_64-linux-gnu/espeak-ng-data/voices/!v',
  '/usr/lib/aarch64-linux-gnu/espeak-ng-data/voices/!v',
  '/usr/share/espeak-ng-data/voices/!v',
];
const FESTIVAL_VOICE_ROOT = '/usr/share/festival/voices';

function listDir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/** What this machine has: espeak-ng variant files, `flite -lv`, festival voice folders. */
export function detectInstalledVoices(): InstalledVoices {
  const espeakDir = ESPEAK_VARIANT_DIRS.find((dir) => existsSync(dir));
  const fliteList = spawnSync('flite', ['-lv'], { encoding: 'utf8' });
  const flite =
    fliteList.status === 0
      ? (fliteList.stdout.split(':')[1] ?? '').trim().split(/\s+/).filter(Boolean)
      : [];
  const festival = listDir(FESTIVAL_VOICE_ROOT).flatMap((language) =>
    listDir(`${FESTIVAL_VOICE_ROOT}/${language}`),
  );
  return {
    espeakVariants: new Set(espeakDir ? listDir(espeakDir) : []),
    flite: new Set(flite),
    festival: new Set(festival),
  };
}
