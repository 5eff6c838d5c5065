/** How pending utterances are grouped into the batches a worker renders. */
import type { UtterancePlan } from './plan';
import type { Split } from './voices';

/**
 * Splits pending utterances into batches of at most `batchSize`: festival's by voice (one
 * festival process speaks a whole batch), the rest in plan order; the test split first, then
 * dev, then train, so that a stopped run has finished the small splits.
 *
 * @example
 * const batches = makeBatches(pending, 24);
 */
export function makeBatches(
  pending: readonly UtterancePlan[],
  batchSize: number,
): UtterancePlan[][] {
  const batches: UtterancePlan[][] = [];
  const chunk = (items: UtterancePlan[]) => {
    for (let start = 0; start < items.length; start += batchSize)
      batches.push(items.slice(start, start + batchSize));
  };
  const festivalByVoice = new Map<string, UtterancePlan[]>();
  const others: UtterancePlan[] = [];
  for (const utterance of pending) {
    if (utterance.voice.synthesizer === 'festival') {
      const list = festivalByVoice.get(utterance.voice.id) ?? [];
      list.push(utterance);
      festivalByVoice.set(utterance.voice.id, list);
    } else others.push(utterance);
  }
  chunk(others);
  for (const list of festivalByVoice.values()) chunk(list);
  const order: Record<Split, number> = { test: 0, dev: 1, train: 2 };
  const splitOrder = (u: UtterancePlan) => order[u.split];
  return batches.sort((a, b) => {
    const first = a[0] as UtterancePlan;
    const second = b[0] as UtterancePlan;
    return splitOrder(first) - splitOrder(second) || first.index - second.index;
  });
}
