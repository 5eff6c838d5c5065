import { BASE_MODEL_CONFIG } from '../src-main/engine/acoustic/config';
import { ctcTrainingLoss } from '../src-main/engine/acoustic/ctc-training';
import { ParameterSet } from '../src-main/engine/train/parameters';
import { buildTrainStep } from '../src-main/engine/train/train-step';
import { Trainer } from '../src-main/engine/train/trainer';
import { parameterOptions, parameterShapes } from '../src-main/engine/acoustic/config';

async function main(): Promise<void> {
  const modelDim = Number(process.argv[2] ?? 144);
  const blocks = Number(process.argv[3] ?? 8);
  const threads = Number(process.argv[4] ?? 2);
  const config = { ...BASE_MODEL_CONFIG, modelDim, blocks };
  const parameters = new ParameterSet({ seed: 1 });
  for (const [name, dims] of parameterShapes(config))
    parameters.declare(name, dims, parameterOptions(name, dims));
  let t0 = performance.now();
  const step = buildTrainStep(ctcTrainingLoss(config), parameters);
  console.log(
    'build',
    (performance.now() - t0).toFixed(0),
    'ms',
    (step.bytes.length / 1e6).toFixed(1),
    'MB',
    parameters.size,
    'params',
  );
  t0 = performance.now();
  const trainer = await Trainer.create(step, parameters, { threads });
  console.log('session', (performance.now() - t0).toFixed(0), 'ms');
  const N = 16,
    T = 800,
    L = 100;
  const features = Float32Array.from({ length: N * 80 * T }, () => Math.random() * 2 - 1);
  const batch = {
    audio_signal: { type: 'float32' as const, data: features, dims: [N, 80, T] },
    length: {
      type: 'int64' as const,
      data: BigInt64Array.from({ length: N }, () => BigInt(T)),
      dims: [N],
    },
    targets: {
      type: 'int64' as const,
      data: BigInt64Array.from({ length: N * L }, () => BigInt(1 + Math.floor(Math.random() * 27))),
      dims: [N, L],
    },
    target_lengths: {
      type: 'int64' as const,
      data: BigInt64Array.from({ length: N }, () => BigInt(L)),
      dims: [N],
    },
  };
  for (let i = 0; i < 4; i++) {
    t0 = performance.now();
    const r = await trainer.step(batch, { learningRate: 1e-3 });
    const sec = (performance.now() - t0) / 1000;
    console.log(
      `step ${r.step} loss ${r.loss.toFixed(3)} gn ${r.gradNorm.toFixed(2)} ${sec.toFixed(2)} s -> ${((N * T) / 100 / sec).toFixed(1)} audio s/s`,
    );
  }
}
void main();
