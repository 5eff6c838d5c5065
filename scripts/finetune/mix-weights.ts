/**
 * A model folder made of the base model and some of a profile's weights, to see where a profile's
 * gain and its forgetting live: the parameters whose names start with one of `--take`'s prefixes
 * come from the profile (moved `--lambda` of the way from the base weights), the others from the
 * base model. Score the result with `npm run eval -- SET --model OUT`.
 *
 *   npx tsx scripts/finetune/mix-weights.ts --profile DIR --out DIR --take blocks.0.,blocks.1.
 *                                           [--base models/base-en] [--lambda 1]
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  loadAcousticModel,
  writeAcousticModelFolder,
} from '../../src-main/engine/acoustic/model-export';

const { values } = parseArgs({
  options: {
    profile: { type: 'string' },
    out: { type: 'string' },
    take: { type: 'string' },
    base: { type: 'string', default: 'models/base-en' },
    lambda: { type: 'string', default: '1' },
  },
});
if (!values.profile || !values.out || !values.take) {
  console.error('usage: mix-weights.ts --profile DIR --out DIR --take PREFIX[,PREFIX...]');
  process.exit(2);
}
const lambda = Number(values.lambda);
if (!Number.isFinite(lambda)) {
  console.error(`--lambda must be a number, not "${values.lambda}"`);
  process.exit(2);
}
const prefixes = values.take.split(',').filter((prefix) => prefix !== '');

async function main(): Promise<void> {
  const base = await loadAcousticModel(join(values.base!, 'model.onnx'));
  const profile = await loadAcousticModel(join(values.profile!, 'model.onnx'));
  const taken: string[] = [];
  for (const name of base.parameters.names) {
    if (!prefixes.some((prefix) => name.startsWith(prefix))) continue;
    const from = base.parameters.get(name);
    const to = profile.parameters.get(name);
    base.parameters.set(
      name,
      Float32Array.from(from, (value, i) => value + lambda * (to[i]! - value)),
    );
    taken.push(name);
  }
  const card = JSON.parse(await readFile(join(values.profile!, 'model.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  await writeAcousticModelFolder(values.out!, base.parameters, base.config, {
    ...card,
    description: `base model with ${prefixes.join(', ')} from ${values.profile} (λ ${lambda})`,
  });
  console.log(`${taken.length} of ${base.parameters.names.length} parameters from the profile`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
