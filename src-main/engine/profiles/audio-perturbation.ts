/**
 * What fine-tuning may do to 16 kHz audio before the frozen layers see it: play it faster or
 * slower (speed perturbation, for more variety in a user's few minutes of speech).
 */
import { resample } from '../audio';

/** The sample rate recordings are read at. */
const MODEL_RATE = 16_000;

/** 16 kHz audio played `speed` times faster, still at 16 kHz. */
export function atSpeed(samples: Float32Array, speed: number): Float32Array {
  if (speed === 1) return samples;
  // Read as if recorded at rate × speed, then brought back to the rate.
  return resample(samples, { inputRate: Math.round(MODEL_RATE * speed), outputRate: MODEL_RATE });
}
