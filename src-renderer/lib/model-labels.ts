import type { ActiveModel, TranscriptModel } from '../../src-main/api/contract';

/** Which model made a transcript, as its header and the history show it. */
export function madeByLabel(madeBy: TranscriptModel | undefined): string | undefined {
  if (!madeBy) return undefined;
  return madeBy.kind === 'profile'
    ? `voice profile ${madeBy.name}`
    : `base model${madeBy.name ? ` ${madeBy.name}` : ''}`;
}

/** An ActiveModel as a <select> value and back ("base", "profile:Ada"). */
export function activeModelValue(model: ActiveModel): string {
  return model.kind === 'base' ? 'base' : `profile:${model.name}`;
}

export function parseActiveModelValue(value: string): ActiveModel {
  return value.startsWith('profile:')
    ? { kind: 'profile', name: value.slice('profile:'.length) }
    : { kind: 'base' };
}
