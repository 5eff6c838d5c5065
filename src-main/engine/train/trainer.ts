/**
 * Runs a train-step model step after step: feeds a batch plus the current parameters and
 * moments, keeps the outputs as the next step's inputs (no copies in between), and turns the
 * state into checkpoints and back.
 */

import { HarkError } from '../errors';
import { openSession } from '../runtime/onnx-runtime';
import type { DeviceChoice, RuntimeSession, TensorValue } from '../runtime/onnx-runtime';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import type { Checkpoint } from './checkpoint';
import type { ParameterSet } from './parameters';
import {
  GRAD_NORM_OUTPUT,
  LEARNING_RATE_INPUT,
  LOSS_OUTPUT,
  SKIPPED_OUTPUT,
  STEP_INPUT,
} from './train-step';
import type { TrainStepModel } from './train-step';

export interface StepReport {
  /** Optimizer steps taken after this one (a skipped update does not count). */
  step: number;
  loss: number;
  gradNorm: number;
  /** The update was skipped because the gradient was not finite. */
  skipped: boolean;
  metrics: Record<string, number>;
}

export interface TrainerOptions {
  device?: DeviceChoice;
  threads?: number;
  /** Resume from here: parameters, moments and step count. */
  checkpoint?: Checkpoint;
  /** How far the CPU provider optimises the train step's graph (`openSession`; default `all`). */
  cpuGraphOptimization?: 'basic' | 'all';
}

/**
 * @example
 * const trainer = await Trainer.create(buildTrainStep(defineLoss, parameters), parameters);
 * for (const batch of batches) console.log((await trainer.step(batch, { learningRate: 1e-3 })).loss);
 * await trainer.save('run/checkpoint.bin');
 * trainer.syncParameters(); // parameters now hold the trained values: export the inference model
 */
export class Trainer {
  private steps: number;
  private readonly state = new Map<string, TensorValue>();

  private constructor(
    private readonly session: RuntimeSession,
    readonly model: TrainStepModel,
    private readonly parameters: ParameterSet,
    checkpoint: Checkpoint | undefined,
  ) {
    this.steps = checkpoint?.step ?? 0;
    for (const p of model.parameters) {
      const count = p.dims.reduce((a, b) => a * b, 1);
      const saved = (name: string) => {
        const tensor = checkpoint?.tensors.get(name);
        if (tensor !== undefined && tensor.data.length !== count) {
          throw new HarkError(
            'CHECKPOINT_INVALID',
            `${name} has ${tensor.data.length} values, not ${count}`,
          );
        }
        return tensor?.data;
      };
      const value = saved(p.name) ?? parameters.get(p.name);
      this.state.set(p.name, { type: 'float32', data: value, dims: p.dims });
      this.state.set(p.m, {
        type: 'float32',
        data: saved(p.m) ?? new Float32Array(count),
        dims: p.dims,
      });
      this.state.set(p.v, {
        type: 'float32',
        data: saved(p.v) ?? new Float32Array(count),
        dims: p.dims,
      });
    }
  }

  /** Opens the train-step model on a device (CPU unless told otherwise). */
  static async create(
    model: TrainStepModel,
    parameters: ParameterSet,
    options: TrainerOptions = {},
  ): Promise<Trainer> {
    const session = await openSession(model.bytes, {
      device: options.device ?? 'cpu',
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      warmUpFeeds: 'skip',
      label: 'train step',
      ...(options.cpuGraphOptimization
        ? { cpuGraphOptimization: options.cpuGraphOptimization }
        : {}),
    });
    return new Trainer(session, model, parameters, options.checkpoint);
  }

  /** Optimizer steps taken so far. */
  get stepCount(): number {
    return this.steps;
  }

  /** The execution provider running the steps. */
  get device(): RuntimeSession['device'] {
    return this.session.device;
  }

  /**
   * One optimizer step on a batch (the model's batch inputs by name).
   *
   * @example
   * const report = await trainer.step({ x, target }, { learningRate: 3e-4 });
   */
  async step(
    batch: Record<string, TensorValue>,
    options: { learningRate: number },
  ): Promise<StepReport> {
    for (const input of this.model.batchInputs) {
      if (!(input.name in batch)) {
        throw new HarkError('INVALID_ARGUMENT', `the batch has no ${input.name}`);
      }
      // Graphs with loops over the batch (CTC) would spin on an empty one instead of failing.
      if (batch[input.name]!.dims[0] === 0) {
        throw new HarkError('INVALID_ARGUMENT', `the batch is empty (${input.name} has no rows)`);
      }
    }
    const feeds: Record<string, TensorValue> = { ...batch };
    for (const [name, value] of this.state) feeds[name] = value;
    feeds[STEP_INPUT] = scalar(this.steps + 1);
    feeds[LEARNING_RATE_INPUT] = scalar(options.learningRate);
    const out = await this.session.run(feeds);

    const skipped = Boolean(out[SKIPPED_OUTPUT]?.data[0]);
    for (const p of this.model.parameters) {
      this.state.set(p.name, required(out, p.next));
      this.state.set(p.m, required(out, p.nextM));
      this.state.set(p.v, required(out, p.nextV));
    }
    if (!skipped) this.steps += 1;
    const metrics: Record<string, number> = {};
    for (const name of this.model.metricNames) {
      metrics[name] = Number(required(out, `metric/${name}`).data[0]);
    }
    return {
      step: this.steps,
      loss: Number(required(out, LOSS_OUTPUT).data[0]),
      gradNorm: Number(required(out, GRAD_NORM_OUTPUT).data[0]),
      skipped,
      metrics,
    };
  }

  /** The current values of a trained parameter (the live array: copy before mutating). */
  parameter(name: string): Float32Array {
    const value = this.state.get(name);
    if (value === undefined || value.type !== 'float32') {
      throw new HarkError('INVALID_ARGUMENT', `${name} is not a trained parameter`);
    }
    return value.data;
  }

  /** Writes the current trained values into the ParameterSet (for exporting a model). */
  syncParameters(): ParameterSet {
    for (const p of this.model.parameters)
      this.parameters.set(p.name, this.parameter(p.name).slice());
    return this.parameters;
  }

  /** The whole training state: every parameter of the set, the moments, the step count. */
  checkpoint(meta: Record<string, unknown> = {}): Checkpoint {
    const tensors = new Map<string, { dims: number[]; data: Float32Array }>();
    for (const name of this.parameters.names) {
      const live = this.state.get(name);
      tensors.set(name, {
        dims: this.parameters.spec(name).dims,
        data: live?.type === 'float32' ? live.data : this.parameters.get(name),
      });
    }
    for (const p of this.model.parameters) {
      tensors.set(p.m, { dims: p.dims, data: this.parameter(p.m) });
      tensors.set(p.v, { dims: p.dims, data: this.parameter(p.v) });
    }
    return { step: this.steps, tensors, meta };
  }

  /** Saves `checkpoint(meta)` atomically. */
  async save(file: string, meta: Record<string, unknown> = {}): Promise<void> {
    await saveCheckpoint(file, this.checkpoint(meta));
  }

  /** Loads a checkpoint's parameters into a ParameterSet (for resuming or exporting). */
  static async restoreParameters(file: string, parameters: ParameterSet): Promise<Checkpoint> {
    const checkpoint = await loadCheckpoint(file);
    for (const [name, tensor] of checkpoint.tensors) {
      if (!name.startsWith('adam.')) {
        parameters.declare(name, tensor.dims);
        parameters.set(name, tensor.data);
      }
    }
    return checkpoint;
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
  }
}

function scalar(value: number): TensorValue {
  return { type: 'float32', data: new Float32Array([value]), dims: [] };
}

function required(outputs: Record<string, TensorValue>, name: string): TensorValue {
  const value = outputs[name];
  if (value === undefined) throw new HarkError('INTERNAL', `the train step did not return ${name}`);
  return value;
}
