/**
 * Collects a waveform overview while audio streams past: the peak absolute amplitude in each of
 * `bucketCount` equal slices of the file, scaled so the loudest bucket is 1.
 *
 * @example
 * const peaks = new WaveformPeaks({ bucketCount: 800, totalSamples: 16000 * 60 });
 * for await (const chunk of readAudio(path, { targetSampleRate: 16000 })) peaks.push(chunk);
 * peaks.result(); // number[] of length 800, in [0, 1]
 */
export class WaveformPeaks {
  private readonly peaks: Float32Array;
  private readonly samplesPerBucket: number;
  private seen = 0;

  constructor(options: { bucketCount: number; totalSamples: number }) {
    const bucketCount = Math.max(1, Math.floor(options.bucketCount));
    this.peaks = new Float32Array(bucketCount);
    this.samplesPerBucket = Math.max(1, options.totalSamples) / bucketCount;
  }

  push(samples: Float32Array): void {
    const last = this.peaks.length - 1;
    for (let index = 0; index < samples.length; index++) {
      const bucket = Math.min(last, Math.floor((this.seen + index) / this.samplesPerBucket));
      const magnitude = Math.abs(samples[index] ?? 0);
      if (magnitude > (this.peaks[bucket] ?? 0)) this.peaks[bucket] = magnitude;
    }
    this.seen += samples.length;
  }

  /** Peaks rounded to 3 decimals (they travel as JSON), normalised to the loudest. */
  result(): number[] {
    let loudest = 0;
    for (const peak of this.peaks) loudest = Math.max(loudest, peak);
    const scale = loudest > 0 ? 1 / loudest : 0;
    return Array.from(this.peaks, (peak) => Math.round(peak * scale * 1000) / 1000);
  }
}
