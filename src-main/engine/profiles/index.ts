/**
 * Voice profiles: a user's recordings, a model fine-tuned on them, and its metrics, stored in
 * folders under a root (see profile-paths.ts for the layout).
 *
 * @example
 * import { ProfileStore, resolveProfileModel } from '../engine/profiles';
 * const store = await ProfileStore.open({ root });
 */
export { ProfileStore, type ProfileSummary } from './profile-store';
export { resolveProfileModel } from './resolve-profile-model';
export {
  defaultProfilesRoot,
  validateProfileName,
  profilePaths,
  type ProfilePaths,
} from './profile-paths';
export type { ProfileRecord, ProfileStatus, KeptModelMetrics } from './profile-record';
export type { ProfileRecording, RecordingSource } from './profile-manifest';
export type { BaseModelRef } from './base-model';
export {
  RecordingRejectedError,
  PROFILE_SAMPLE_RATE,
  type NewRecording,
  type Correction,
  type ImportReport,
  type SkippedInput,
} from './profile-dataset';
export {
  checkRecording,
  measureLevels,
  DEFAULT_RECORDING_CHECKS,
  type RecordingProblem,
  type RecordingProblemCode,
  type RecordingCheckOptions,
  type RecordingLevels,
} from './recording-checks';
export {
  DEFAULT_RECIPE,
  type FineTuneEvent,
  type FineTuneOptions,
  type FineTuneRecipe,
  type FineTuneResult,
  type ValidationExample,
} from './finetune';
export { DEFAULT_MINIMUM_DATA, checkEnoughData, type MinimumData } from './minimum-data';
