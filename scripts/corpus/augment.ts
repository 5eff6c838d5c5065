/**
 * Augmentation of clean synthesized speech: speed perturbation, additive noise (white, pink,
 * brown, babble) at a chosen SNR, reverberation by a synthetic room impulse response, a
 * telephone channel, and a random gain. Pure functions over Float32Arrays; randomness comes in
 * as a seeded `Random`.
 */
import { butterworth, convolve, dbToAmplitude, fft, peak, power, resample } from './dsp';
import type { AugmentationPlan } from './plan';
import type { Random } from './random';

/**
 * Plays the audio `factor` times faster by resampling: duration / factor, pitch × factor (the
 * Kaldi-style speed perturbation).
 *
 * @example
 * speedPerturb(samples, { sampleRate: 16000, factor: 1.1 }).length; // ≈ samples.length / 1.1
 */
export function speedPerturb(
  samples: Float32Array,
  options: { sampleRate: number; factor: number },
): Float32Array {
  if (options.factor === 1) return samples.slice();
  // An integer source rate keeps the rate ratio small (1.07 → 17120/16000 = 107/100): polyphase.
  return resample(samples, {
    fromRate: Math.round(options.sampleRate * options.factor),
    toRate: options.sampleRate,
  });
}

export function whiteNoise(length: number, random: Random): Float32Array {
  const noise = new Float32Array(length);
  for (let i = 0; i < length; i += 1) noise[i] = random.gaussian();
  return noise;
}

/**
 * Noise whose power spectrum falls as 1/f^exponent (1 = pink, 2 = brown), made by shaping white
 * Gaussian noise in the frequency domain; unit power, no DC.
 */
export function coloredNoise(length: number, random: Random, exponent: number): Float32Array {
  let size = 1;
  while (size < length) size <<= 1;
  const real = new Float64Array(size);
  const imaginary = new Float64Array(size);
  for (let i = 0; i < size; i += 1) real[i] = random.gaussian();
  fft(real, imaginary);
  real[0] = 0;
  imaginary[0] = 0;
  for (let k = 1; k < size; k += 1) {
    const frequency = Math.min(k, size - k);
    const gain = frequency ** (-exponent / 2);
    real[k] = (real[k] as number) * gain;
    imaginary[k] = (imaginary[k] as number) * gain;
  }
  fft(real, imaginary, true);
  const noise = new Float32Array(length);
  for (let i = 0; i < length; i += 1) noise[i] = real[i] as number;
  const rms = Math.sqrt(power(noise));
  if (rms > 0) for (let i = 0; i < length; i += 1) noise[i] = (noise[i] as number) / rms;
  return noise;
}

export function pinkNoise(length: number, random: Random): Float32Array {
  return coloredNoise(length, random, 1);
}

export function brownNoise(length: number, random: Random): Float32Array {
  return coloredNoise(length, random, 2);
}

/**
 * Babble: several talkers at equal level, each looped from a random offset to fill `length`.
 */
export function mixBabble(
  talkers: readonly Float32Array[],
  length: number,
  random: Random,
): Float32Array {
  const babble = new Float32Array(length);
  for (const talker of talkers) {
    const rms = Math.sqrt(power(talker));
    if (talker.length === 0 || rms === 0) continue;
    const offset = random.integer(0, talker.length - 1);
    for (let i = 0; i < length; i += 1) {
      babble[i] = (babble[i] as number) + (talker[(offset + i) % talker.length] as number) / rms;
    }
  }
  return babble;
}

/**
 * Adds noise scaled so that power(signal) / power(added noise) equals `snrDb` (the noise is
 * looped or cut to the signal's length).
 *
 * @example
 * const noisy = mixAtSnr(speech, whiteNoise(speech.length, random), { snrDb: 10 });
 */
export function mixAtSnr(
  signal: Float32Array,
  noise: Float32Array,
  options: { snrDb: number },
): Float32Array {
  const fitted = new Float32Array(signal.length);
  if (noise.length > 0) {
    for (let i = 0; i < signal.length; i += 1) fitted[i] = noise[i % noise.length] as number;
  }
  const noisePower = power(fitted);
  const output = signal.slice();
  if (noisePower === 0) return output;
  const gain = Math.sqrt(power(signal) / (noisePower * 10 ** (options.snrDb / 10)));
  for (let i = 0; i < output.length; i += 1) {
    output[i] = (output[i] as number) + gain * (fitted[i] as number);
  }
  return output;
}

/**
 * A synthetic room impulse response: a unit direct path, then after a short pre-delay an
 * exponentially decaying Gaussian tail that falls 60 dB in `rt60Sec`, scaled so the energy of
 * the direct path over the tail's is `directToReverbDb`.
 */
export function syntheticImpulseResponse(options: {
  sampleRate: number;
  rt60Sec: number;
  directToReverbDb: number;
  random: Random;
}): Float32Array {
  const { sampleRate, rt60Sec, random } = options;
  const length = Math.max(2, Math.round(sampleRate * rt60Sec));
  const response = new Float32Array(length);
  const preDelay = Math.min(length - 1, Math.round(sampleRate * random.uniform(0.002, 0.012)));
  const decayPerSample = 6.908 / (rt60Sec * sampleRate);
  let tailEnergy = 0;
  for (let i = preDelay; i < length; i += 1) {
    const value = random.gaussian() * Math.exp(-decayPerSample * (i - preDelay));
    response[i] = value;
    tailEnergy += value * value;
  }
  const tailGain =
    tailEnergy > 0 ? Math.sqrt(10 ** (-options.directToReverbDb / 10) / tailEnergy) : 0;
  for (let i = preDelay; i < length; i += 1) response[i] = (response[i] as number) * tailGain;
  response[0] = 1;
  return response;
}

/** Convolves with an impulse response, keeping the input's length (the direct path is at 0). */
export function reverberate(signal: Float32Array, impulseResponse: Float32Array): Float32Array {
  return convolve(signal, impulseResponse, signal.length);
}

const MU = 255;

/** G.711-style 8-bit μ-law companding and back (input expected within [-1, 1]). */
export function muLawRoundTrip(samples: Float32Array): Float32Array {
  const output = new Float32Array(samples.length);
  const scale = Math.log1p(MU);
  for (let i = 0; i < samples.length; i += 1) {
    const x = Math.max(-1, Math.min(1, samples[i] as number));
    const compressed = (Math.sign(x) * Math.log1p(MU * Math.abs(x))) / scale;
    const quantized = Math.round(compressed * 127) / 127;
    output[i] = (Math.sign(quantized) * Math.expm1(Math.abs(quantized) * scale)) / MU;
  }
  return output;
}

/**
 * A telephone line: 300-3400 Hz band (4th-order Butterworth each side), down to 8 kHz, 8-bit
 * μ-law, and back up to the original rate.
 *
 * @example
 * const phone = telephoneChannel(samples, { sampleRate: 16000 });
 */
export function telephoneChannel(
  samples: Float32Array,
  options: { sampleRate: number },
): Float32Array {
  const { sampleRate } = options;
  let band = butterworth(samples, { kind: 'highpass', sampleRate, cutoffHz: 300, order: 4 });
  band = butterworth(band, { kind: 'lowpass', sampleRate, cutoffHz: 3400, order: 4 });
  const narrow = resample(band, { fromRate: sampleRate, toRate: 8000 });
  // Companding wants a signal near full scale: scale by the input's peak and back, so the
  // channel stays linear in level (out-of-band input is not amplified).
  const level = peak(samples);
  const gain = level > 0 ? dbToAmplitude(-3) / level : 1;
  for (let i = 0; i < narrow.length; i += 1) narrow[i] = (narrow[i] as number) * gain;
  const companded = muLawRoundTrip(narrow);
  for (let i = 0; i < companded.length; i += 1) companded[i] = (companded[i] as number) / gain;
  const wide = resample(companded, { fromRate: 8000, toRate: sampleRate });
  const output = new Float32Array(samples.length);
  output.set(wide.subarray(0, samples.length));
  return output;
}

/** Scales the signal so its peak is at `peakDbfs` (a silent signal stays silent). */
export function scaleToPeak(samples: Float32Array, options: { peakDbfs: number }): Float32Array {
  const level = peak(samples);
  const output = samples.slice();
  if (level === 0) return output;
  const gain = dbToAmplitude(options.peakDbfs) / level;
  for (let i = 0; i < output.length; i += 1) output[i] = (output[i] as number) * gain;
  return output;
}

/**
 * Applies an utterance's augmentation plan in the order a recording would see it: speed,
 * room, background noise, telephone line, gain.
 *
 * @example
 * const augmented = applyAugmentation(clean, utterance.augmentation,
 *   { sampleRate: 16000, random: new Random(utterance.renderSeed), babbleTalkers });
 */
export function applyAugmentation(
  clean: Float32Array,
  plan: AugmentationPlan,
  options: { sampleRate: number; random: Random; babbleTalkers?: readonly Float32Array[] },
): Float32Array {
  const { sampleRate, random } = options;
  let audio = speedPerturb(clean, { sampleRate, factor: plan.speedFactor });
  if (plan.reverb) {
    const response = syntheticImpulseResponse({ sampleRate, ...plan.reverb, random });
    audio = reverberate(audio, response);
  }
  if (plan.noise) {
    let noise: Float32Array;
    if (plan.noise.kind === 'white') noise = whiteNoise(audio.length, random);
    else if (plan.noise.kind === 'pink') noise = pinkNoise(audio.length, random);
    else if (plan.noise.kind === 'brown') noise = brownNoise(audio.length, random);
    else noise = mixBabble(options.babbleTalkers ?? [], audio.length, random);
    audio = mixAtSnr(audio, noise, { snrDb: plan.noise.snrDb });
  }
  if (plan.telephone) audio = telephoneChannel(audio, { sampleRate });
  return scaleToPeak(audio, { peakDbfs: plan.peakDbfs });
}
