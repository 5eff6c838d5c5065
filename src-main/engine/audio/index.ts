/**
 * Audio in Hark's engine: any WAV file (PCM 8/16/24/32-bit, float 32/64, A-law, µ-law, IMA ADPCM,
 * WAVE_FORMAT_EXTENSIBLE; RIFF, RIFX or RF64; any channel count; 8–192 kHz) streamed in chunks as
 * mono Float32 at 16 kHz, and 16-bit WAV writing for datasets.
 */
export { probeAudio, readAudio, readAudioWhole, MAX_READ_BYTES } from './read-audio';
export type { AudioInfo, ReadAudioOptions } from './read-audio';
export { Resampler, resample } from './resampler';
export type { ResamplerOptions } from './resampler';
export { writeWav16k } from './write-wav';
export { MIN_SAMPLE_RATE, MAX_SAMPLE_RATE } from './wav-codecs';
