/**
 * profile.json: what a profile is, apart from its recordings and weights. Written atomically at
 * every change; read back with checks, so a hand-edited or foreign file gets a clear error.
 */
import { HarkError } from '../errors';
import type { BaseModelRef } from './base-model';

/**
 * - `collecting`: no kept model and no run; recordings can be added.
 * - `training`: a run is in progress, or was interrupted and resumes on the next start.
 * - `review`: a run finished; its result waits to be kept or discarded.
 * - `ready`: a kept model transcribes this voice.
 */
export type ProfileStatus = 'collecting' | 'training' | 'review' | 'ready';

/** What a kept model achieved, shown on the profile's card. */
export interface KeptModelMetrics {
  keptAt: string;
  /** Word error rate on the held-back recordings, base model and this profile's model. */
  werBefore: number;
  werAfter: number;
  validationUtterances: number;
  trainingUtterances: number;
  trainingSec: number;
  steps: number;
  baseModel: BaseModelRef;
}

export interface ProfileRecord {
  format: 1;
  name: string;
  createdAt: string;
  updatedAt: string;
  baseModel: BaseModelRef;
  status: ProfileStatus;
  /** The kept model's metrics; null until a result is kept. */
  metrics: KeptModelMetrics | null;
}

const STATUSES: readonly ProfileStatus[] = ['collecting', 'training', 'review', 'ready'];

/** Checks a parsed profile.json; PROFILE_INVALID naming the file and the field otherwise. */
export function parseProfileRecord(value: unknown, file: string): ProfileRecord {
  const fail = (problem: string) => new HarkError('PROFILE_INVALID', problem, { file });
  if (typeof value !== 'object' || value === null) throw fail('is not a JSON object');
  const record = value as Partial<ProfileRecord>;
  if (record.format !== 1) throw fail(`has format ${String(record.format)}, expected 1`);
  if (typeof record.name !== 'string' || record.name === '') throw fail('has no name');
  if (typeof record.createdAt !== 'string') throw fail('has no createdAt');
  const base = record.baseModel;
  if (
    typeof base !== 'object' ||
    base === null ||
    typeof base.id !== 'string' ||
    typeof base.dir !== 'string' ||
    typeof base.sha256 !== 'string'
  ) {
    throw fail('has no valid baseModel { id, dir, sha256 }');
  }
  if (!STATUSES.includes(record.status as ProfileStatus)) {
    throw fail(`has an unknown status ${String(record.status)}`);
  }
  return {
    format: 1,
    name: record.name,
    createdAt: record.createdAt,
    updatedAt: typeof record.updatedAt === 'string' ? record.updatedAt : record.createdAt,
    baseModel: { ...base, globalStep: base.globalStep ?? null },
    status: record.status as ProfileStatus,
    metrics: record.metrics ?? null,
  };
}
