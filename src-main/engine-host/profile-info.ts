/**
 * The contract's view of the engine's profile data: what the UI needs, without the folders and
 * hashes it has no use for.
 */
import type { ProfileInfo, RecordingInfo, TrainingResult, TranscriptModel } from '../api/contract';
import { isHarkError } from '../engine/errors';
import type { ProfileRecording, ProfileSummary } from '../engine/profiles';
import { checkEnoughData, type MinimumData } from '../engine/profiles/minimum-data';
import type { FineTuneResult } from '../engine/profiles/finetune';
import { profileOfModelName } from '../engine/profiles/profile-model-name';
import type { Transcript } from '../engine/types';

export function toTrainingResult(result: FineTuneResult): TrainingResult {
  return {
    werBefore: result.werBefore,
    werAfter: result.werAfter,
    cerBefore: result.cerBefore,
    cerAfter: result.cerAfter,
    validationUtterances: result.validationUtterances,
    trainingUtterances: result.trainingUtterances,
    trainingAudioSec: result.trainingAudioSec,
    trainingSec: result.trainingSec,
    steps: result.steps,
    stoppedBecause: result.stoppedBecause,
    examples: result.examples,
    finishedAt: result.finishedAt,
    ...(result.otherVoices ? { otherVoices: result.otherVoices } : {}),
  };
}

/** Null when the recordings are enough to train, else the engine's "add N more…" sentence. */
export function missingData(
  recordings: readonly { durationSec: number }[],
  minimum: MinimumData,
): string | null {
  try {
    checkEnoughData(recordings, minimum);
    return null;
  } catch (error) {
    if (isHarkError(error) && error.code === 'NOT_ENOUGH_DATA') return error.detail;
    throw error;
  }
}

export function toProfileInfo(
  summary: ProfileSummary,
  recordings: readonly ProfileRecording[],
  minimum: MinimumData,
): ProfileInfo {
  const kept = summary.metrics;
  return {
    name: summary.name,
    createdAt: summary.createdAt,
    updatedAt: summary.updatedAt,
    status: summary.status,
    trainingNow: summary.trainingNow,
    recordings: summary.recordings,
    speechSec: summary.speechSec,
    hasModel: summary.modelDir !== null,
    kept: kept
      ? {
          keptAt: kept.keptAt,
          werBefore: kept.werBefore,
          werAfter: kept.werAfter,
          validationUtterances: kept.validationUtterances,
          trainingUtterances: kept.trainingUtterances,
          steps: kept.steps,
        }
      : null,
    pendingResult: summary.pendingResult ? toTrainingResult(summary.pendingResult) : null,
    needsMoreData: missingData(recordings, minimum),
    baseModelName: summary.baseModel.id,
  };
}

export function toRecordingInfo(recording: ProfileRecording): RecordingInfo {
  return {
    id: recording.id,
    durationSec: recording.durationSec,
    text: recording.text,
    source: recording.source,
    addedAt: recording.addedAt,
    ...(recording.origin !== undefined ? { origin: recording.origin } : {}),
    ...(recording.promptId !== undefined ? { promptId: recording.promptId } : {}),
  };
}

/**
 * Which model made a transcript, from the model the engine really ran: a profile's model card is
 * named `profile:<name>`, any other model is a base model.
 *
 * @example
 * transcriptModelOf(transcript); // { kind: 'profile', name: 'Ada' }
 */
export function transcriptModelOf(transcript: Pick<Transcript, 'model'>): TranscriptModel {
  const name = transcript.model.name;
  const profile = profileOfModelName(name);
  return profile === undefined ? { kind: 'base', name } : { kind: 'profile', name: profile };
}
