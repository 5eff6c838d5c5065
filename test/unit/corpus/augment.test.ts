import { describe, expect, it } from 'vitest';
import {
  applyAugmentation,
  brownNoise,
  mixAtSnr,
  mixBabble,
  muLawRoundTrip,
  pinkNoise,
  reverberate,
  scaleToPeak,
  speedPerturb,
  syntheticImpulseResponse,
  telephoneChannel,
  whiteNoise,
} from '../../../scripts/corpus/augment';
import { fft, peak, power, powerRatioToDb, resample } from '../../../scripts/corpus/dsp';
import { Random } from '../../../scripts/corpus/random';

const SAMPLE_RATE = 16000;

function sine(
  frequencyHz: number,
  seconds: number,
  sampleRate = SAMPLE_RATE,
  amplitude = 0.5,
): Float32Array {
  const samples = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < samples.length; i += 1) {
    samples[i] = amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRate);
  }
  return samples;
}

/** A speech-like test signal: a few harmonics, amplitude-modulated, with pauses. */
function speechLike(seconds: number): Float32Array {
  const samples = new Float32Array(Math.round(seconds * SAMPLE_RATE));
  for (let i = 0; i < samples.length; i += 1) {
    const t = i / SAMPLE_RATE;
    const envelope = Math.max(0, Math.sin(2 * Math.PI * 2.5 * t));
    samples[i] =
      envelope *
      (0.4 * Math.sin(2 * Math.PI * 140 * t) +
        0.2 * Math.sin(2 * Math.PI * 700 * t) +
        0.1 * Math.sin(2 * Math.PI * 2300 * t));
  }
  return samples;
}

function rmsDb(signal: Float32Array): number {
  return powerRatioToDb(power(signal));
}

/** The frequency (Hz) of the largest FFT bin. */
function dominantFrequency(signal: Float32Array, sampleRate: number): number {
  let size = 1;
  while (size * 2 <= signal.length) size *= 2;
  const real = Float64Array.from(signal.subarray(0, size));
  const imaginary = new Float64Array(size);
  fft(real, imaginary);
  let best = 0;
  let bestMagnitude = 0;
  for (let k = 1; k < size / 2; k += 1) {
    const magnitude = (real[k] as number) ** 2 + (imaginary[k] as number) ** 2;
    if (magnitude > bestMagnitude) [best, bestMagnitude] = [k, magnitude];
  }
  return (best * sampleRate) / size;
}

describe('additive noise', () => {
  const speech = speechLike(3);
  const makers = {
    white: (n: number, random: Random) => whiteNoise(n, random),
    pink: (n: number, random: Random) => pinkNoise(n, random),
    brown: (n: number, random: Random) => brownNoise(n, random),
    babble: (n: number, random: Random) =>
      mixBabble([sine(180, 1.3), speechLike(2.1), sine(330, 0.7)], n, random),
  };
  for (const [kind, make] of Object.entries(makers)) {
    it.each([5, 12.5, 30])(`${kind} noise lands at %s dB SNR within 0.5 dB`, (snrDb) => {
      const random = new Random(7);
      const noisy = mixAtSnr(speech, make(speech.length, random), { snrDb });
      const added = noisy.map((value, i) => value - (speech[i] as number));
      const measured = powerRatioToDb(power(speech) / power(added));
      expect(Math.abs(measured - snrDb)).toBeLessThan(0.5);
    });
  }

  it('colours noise: pink and brown put more power below 500 Hz than white', () => {
    const lowShare = (signal: Float32Array) => {
      const low = resample(resample(signal, { fromRate: SAMPLE_RATE, toRate: 1000 }), {
        fromRate: 1000,
        toRate: SAMPLE_RATE,
      });
      return power(low) / power(signal);
    };
    const n = SAMPLE_RATE * 2;
    const white = lowShare(whiteNoise(n, new Random(1)));
    const pink = lowShare(pinkNoise(n, new Random(1)));
    const brown = lowShare(brownNoise(n, new Random(1)));
    expect(white).toBeLessThan(0.1);
    expect(pink).toBeGreaterThan(white * 3);
    expect(brown).toBeGreaterThan(pink);
  });

  it('is reproducible from the seed', () => {
    expect(pinkNoise(1000, new Random(3))).toEqual(pinkNoise(1000, new Random(3)));
    expect(pinkNoise(1000, new Random(3))).not.toEqual(pinkNoise(1000, new Random(4)));
  });
});

describe('telephone channel', () => {
  it('attenuates 6 kHz by more than 30 dB and passes 1 kHz', () => {
    const high = sine(6000, 1);
    const inBand = sine(1000, 1);
    const highLoss = rmsDb(high) - rmsDb(telephoneChannel(high, { sampleRate: SAMPLE_RATE }));
    const inBandLoss = rmsDb(inBand) - rmsDb(telephoneChannel(inBand, { sampleRate: SAMPLE_RATE }));
    expect(highLoss).toBeGreaterThan(30);
    expect(Math.abs(inBandLoss)).toBeLessThan(1.5);
  });

  it('attenuates 100 Hz (below the band) by more than 15 dB', () => {
    const low = sine(100, 1);
    expect(rmsDb(low) - rmsDb(telephoneChannel(low, { sampleRate: SAMPLE_RATE }))).toBeGreaterThan(
      15,
    );
  });

  it('keeps the length', () => {
    expect(telephoneChannel(speechLike(1.23), { sampleRate: SAMPLE_RATE })).toHaveLength(
      Math.round(1.23 * SAMPLE_RATE),
    );
  });

  it('μ-law round trip keeps a loud signal within 8-bit companding error', () => {
    const tone = sine(440, 0.1, SAMPLE_RATE, 0.7);
    const back = muLawRoundTrip(tone);
    const error = back.map((value, i) => value - (tone[i] as number));
    expect(powerRatioToDb(power(tone) / power(error))).toBeGreaterThan(30);
  });
});

describe('resampling', () => {
  it('keeps a tone at its frequency and level through 22050 → 16000', () => {
    const tone = sine(1000, 1, 22050);
    const out = resample(tone, { fromRate: 22050, toRate: 16000 });
    expect(out.length).toBe(16000);
    expect(dominantFrequency(out, 16000)).toBeCloseTo(1000, -1);
    const middle = out.subarray(1000, 15000);
    expect(Math.abs(rmsDb(middle) - rmsDb(tone))).toBeLessThan(0.2);
  });

  it('removes what lies above the new Nyquist frequency instead of aliasing it', () => {
    const tone = sine(7000, 1, 22050);
    const out = resample(tone, { fromRate: 22050, toRate: 8000 });
    expect(rmsDb(tone) - rmsDb(out.subarray(200, out.length - 200))).toBeGreaterThan(50);
  });

  it('speed perturbation shortens the audio and raises the pitch by the factor', () => {
    const tone = sine(500, 2);
    const faster = speedPerturb(tone, { sampleRate: SAMPLE_RATE, factor: 1.1 });
    expect(faster.length).toBe(Math.round(tone.length / 1.1));
    expect(Math.abs(dominantFrequency(faster, SAMPLE_RATE) - 550)).toBeLessThan(10);
    expect(speedPerturb(tone, { sampleRate: SAMPLE_RATE, factor: 1 })).toEqual(tone);
  });
});

describe('reverberation', () => {
  it('builds an impulse response with the requested direct-to-reverberant ratio and decay', () => {
    const response = syntheticImpulseResponse({
      sampleRate: SAMPLE_RATE,
      rt60Sec: 0.5,
      directToReverbDb: 6,
      random: new Random(9),
    });
    expect(response[0]).toBe(1);
    const tail = response.subarray(1);
    const tailEnergy = power(tail) * tail.length;
    expect(powerRatioToDb(1 / tailEnergy)).toBeCloseTo(6, 1);
    // 60 dB down at RT60: compare the energy of the first and last 50 ms of the tail.
    const window = SAMPLE_RATE / 20;
    const early = power(response.subarray(200, 200 + window));
    const late = power(response.subarray(response.length - window));
    expect(powerRatioToDb(early / late)).toBeGreaterThan(40);
  });

  it('keeps the input length and smears energy later in time', () => {
    const click = new Float32Array(SAMPLE_RATE);
    click[100] = 1;
    const response = syntheticImpulseResponse({
      sampleRate: SAMPLE_RATE,
      rt60Sec: 0.4,
      directToReverbDb: 0,
      random: new Random(2),
    });
    const wet = reverberate(click, response);
    expect(wet).toHaveLength(click.length);
    expect(wet[100]).toBeCloseTo(1, 4);
    expect(power(wet.subarray(400, 4000))).toBeGreaterThan(0);
  });
});

describe('gain and the whole chain', () => {
  it('scales to the requested peak', () => {
    const scaled = scaleToPeak(speechLike(1), { peakDbfs: -12 });
    expect(20 * Math.log10(peak(scaled))).toBeCloseTo(-12, 6);
  });

  it('applies a plan deterministically and never clips', () => {
    const plan = {
      speedFactor: 0.93,
      reverb: { rt60Sec: 0.5, directToReverbDb: 3 },
      noise: { kind: 'pink' as const, snrDb: 10, talkers: [] },
      telephone: true,
      peakDbfs: -2,
    };
    const clean = speechLike(2);
    const a = applyAugmentation(clean, plan, { sampleRate: SAMPLE_RATE, random: new Random(5) });
    const b = applyAugmentation(clean, plan, { sampleRate: SAMPLE_RATE, random: new Random(5) });
    expect(a).toEqual(b);
    expect(a.length).toBe(Math.round(clean.length / 0.93));
    expect(20 * Math.log10(peak(a))).toBeCloseTo(-2, 6);
  });
});
