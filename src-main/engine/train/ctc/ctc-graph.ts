/**
 * Batched, exact CTC loss as ONNX nodes: log-space forward–backward with per-utterance frame
 * and label lengths, and its gradient.
 *
 * How it works
 * - The extended label sequence (blank, l1, blank, l2, ..., blank), S = 2L + 1 states, is built
 *   in the graph from the padded targets; labels past an utterance's length become blanks.
 * - beta of an utterance is alpha of the same utterance reversed in time (its first T_n frames)
 *   and in states (its first 2 L_n + 1 states); the skip rule is symmetric under that reversal.
 *   So one Scan over time runs the alpha recursion on a batch of 2N: the N utterances and their
 *   N reversed copies. One Scan of 2N costs far less than two Scans of N, because ONNX Runtime's
 *   per-step overhead, not arithmetic, dominates.
 * - Posterior occupancy gamma_t(s) = alpha_t(s) + beta_t(s) - emission_t(s) - log P (beta here
 *   includes frame t's emission, hence the subtraction), summed per symbol with one MatMul
 *   against a one-hot of the extended labels.
 *
 * Gradients: with occupancy(t, k) = P(symbol k at frame t | target),
 *   d loss / d logProbs = -occupancy,  d loss / d logits = softmax(logits) - occupancy
 * (each valid frame's occupancy sums to 1). Scoring logits (LogSoftmax fused in) is the
 * preferred form: the gradient is one subtraction, and an upstream LogSoftmax's backward pass
 * is not needed at all.
 *
 * An utterance is infeasible when it has no frames, when T_n < L_n + repeats, or when its
 * scores are not finite within its frames; it gets loss 0 and gradient 0 and is counted.
 */
import type { GraphBuilder, TensorHandle } from '../../onnx';
import { CTC_LOG_ZERO, emitAlphaScan } from './ctc-scan';

export interface CtcLossGraphInputs {
  /** (N, T, V) float32: logits (LogSoftmax is applied inside) or log-probabilities. */
  scores: TensorHandle;
  /** (N, L) int64 label ids, padded past each target length with anything in [0, V). */
  targets: TensorHandle;
  /** (N) int64 frames per utterance (clamped to [0, T]). */
  inputLengths: TensorHandle;
  /** (N) int64 labels per utterance (clamped to [0, L]). */
  targetLengths: TensorHandle;
}

export interface CtcLossGraphOptions {
  blankId: number;
  /** What `scores` holds: 'logits' (default; LogSoftmax fused in) or 'logProbs'. */
  scoresAre?: 'logits' | 'logProbs';
  /** Emit the backward recursion and the gradient (default true). */
  withGradient?: boolean;
}

export interface CtcLossGraphOutputs {
  /** (N) float32 negative log-likelihood; 0 for infeasible utterances. */
  loss: TensorHandle;
  /** (N) bool: false for utterances that were skipped. */
  feasible: TensorHandle;
  /** () int64: how many utterances were skipped. */
  infeasibleCount: TensorHandle;
  /**
   * (N, T, V) float32 d loss_n / d scores for an upstream gradient of 1 per utterance; zero on
   * padded frames and infeasible utterances. Undefined when `withGradient` is false.
   */
  gradient: TensorHandle | undefined;
}

/**
 * Emits the CTC loss of a batch into `g`.
 *
 * @example
 * const g = new GraphBuilder();
 * const out = emitCtcLoss(g, {
 *   scores: g.input('logits', 'float32', ['N', 'T', 30]),
 *   targets: g.input('targets', 'int64', ['N', 'L']),
 *   inputLengths: g.input('input_lengths', 'int64', ['N']),
 *   targetLengths: g.input('target_lengths', 'int64', ['N']),
 * }, { blankId: 29 });
 * g.output(out.loss, 'loss');
 */
export function emitCtcLoss(
  g: GraphBuilder,
  inputs: CtcLossGraphInputs,
  options: CtcLossGraphOptions,
): CtcLossGraphOutputs {
  const scoresAre = options.scoresAre ?? 'logits';
  const withGradient = options.withGradient ?? true;
  const x = helpers(g);

  const logProbs =
    scoresAre === 'logits' ? g.op('LogSoftmax', [inputs.scores], { axis: -1 }) : inputs.scores;
  const blank = g.constant(BigInt(options.blankId), { type: 'int64' });
  const frameCount = x.dim(logProbs, 1); // (1) T
  const vocabSize = x.dim(logProbs, 2); // (1) V
  const labelCount = x.dim(inputs.targets, 1); // (1) L

  const frames = g.op('Min', [g.op('Max', [inputs.inputLengths, x.int(0)]), frameCount]);
  const labels = g.op('Min', [g.op('Max', [inputs.targetLengths, x.int(0)]), labelCount]);
  const states = g.op('Add', [g.op('Mul', [labels, x.int(2)]), x.int(1)]); // (N) 2 L_n + 1
  // ReverseSequence needs lengths of at least 1; utterances without frames are infeasible anyway.
  const reversibleFrames = g.op('Max', [frames, x.int(1)]);

  // Targets with every padded position set to the blank.
  const labelValid = g.op('Less', [
    x.unsqueeze(x.range(labelCount), [0]),
    x.unsqueeze(labels, [1]),
  ]); // (N, L)
  const cleanTargets = g.op('Where', [labelValid, inputs.targets, blank]);

  const extended = extendWithBlanks(g, cleanTargets, blank); // (N, S)
  const stateCount = x.dim(extended, 1); // (1) S
  const stateIndex = x.range(stateCount); // (S)

  // Forward copies, then (for the gradient) copies reversed in time and in states.
  const batchExtended = withGradient
    ? g.op('Concat', [extended, x.reverse(extended, states)], { axis: 0 })
    : extended; // (B, S)
  const batchLogProbs = withGradient
    ? g.op('Concat', [logProbs, x.reverse(logProbs, reversibleFrames)], { axis: 0 })
    : logProbs; // (B, T, V)

  // Emissions of every extended state, (B, S, T): GatherND copies whole frame rows per state.
  const batchEmissions = g.op(
    'GatherND',
    [g.op('Transpose', [batchLogProbs], { perm: [0, 2, 1] }), x.unsqueeze(batchExtended, [2])],
    { batch_dims: 1 },
  );

  const alphasBeforeEmission = emitAlphaScan(g, {
    initialAlpha: initialAlpha(g, stateIndex, x.dim(batchExtended, 0)),
    // Each transpose in this module moves a single axis: ORT's fast path for them.
    emissions: g.op('Transpose', [batchEmissions], { perm: [2, 0, 1] }), // (T, B, S)
    skipPenalty: skipPenalty(g, batchExtended, blank),
  }); // (T, B, S)

  const batchSize = x.dim(inputs.targets, 0); // (1) N
  const emissions = g.op('Transpose', [x.sliceAxis(batchEmissions, 0, x.int64s1(0), batchSize)], {
    perm: [0, 2, 1],
  }); // (N, T, S)
  const alpha = g.op('Add', [
    g.op('Transpose', [x.sliceAxis(alphasBeforeEmission, 1, x.int64s1(0), batchSize)], {
      perm: [1, 0, 2],
    }),
    emissions,
  ]); // (N, T, S)
  const logLikelihood = finalLogLikelihood(g, { alpha, frames, states, stateIndex, stateCount });

  // Feasible: frames for every label and repeat, finite scores, and a non-zero likelihood.
  const enoughFrames = g.op('And', [
    g.op('GreaterOrEqual', [
      frames,
      g.op('Add', [labels, countRepeats(g, cleanTargets, labelValid)]),
    ]),
    g.op('Greater', [frames, x.int(0)]),
  ]);
  const frameValid = g.op('Less', [
    x.unsqueeze(x.range(frameCount), [0, 2]),
    x.unsqueeze(frames, [1, 2]),
  ]); // (N, T, 1)
  const scoreSum = g.op(
    'ReduceSum',
    [g.op('Where', [frameValid, inputs.scores, g.constant(0)]), g.int64s([1, 2])],
    { keepdims: 0 },
  );
  const finiteScores = g.op('Equal', [g.op('Sub', [scoreSum, scoreSum]), g.constant(0)]);
  const likely = g.op('Greater', [logLikelihood, g.constant(CTC_LOG_ZERO / 2)]);
  const batchDim = inputs.scores.shape?.[0] ?? null;
  const feasible = g.op(
    'And',
    [g.op('And', [enoughFrames, finiteScores]), likely],
    {},
    {
      outputShapes: [[batchDim]],
    },
  );

  const loss = g.op(
    'Where',
    [feasible, g.op('Neg', [logLikelihood]), g.constant(0)],
    {},
    {
      outputShapes: [[batchDim]],
    },
  );
  const infeasibleCount = g.op(
    'ReduceSum',
    [g.op('Cast', [g.op('Not', [feasible])], { to: 7 /* INT64 */ })],
    { keepdims: 0 },
    { outputTypes: ['int64'], outputShapes: [[]] },
  );
  if (!withGradient) return { loss, feasible, infeasibleCount, gradient: undefined };

  // beta (frame t's emission excluded): the reversed half, put back in states and in time.
  const reversedHalf = x.sliceAxis(
    alphasBeforeEmission,
    1,
    batchSize,
    g.op('Mul', [batchSize, x.int(2)]),
  ); // (T, N, S)
  const betaTimeRestored = x.reverse(reversedHalf, reversibleFrames, { timeAxis: 0, batchAxis: 1 });
  const betaRestored = x.reverse(
    g.op('Transpose', [betaTimeRestored], { perm: [1, 2, 0] }), // (N, S, T)
    states,
  );
  const beta = g.op('Transpose', [betaRestored], { perm: [0, 2, 1] }); // (N, T, S)

  // Occupancy of each state: alpha + beta normalised over the states of each frame. In exact
  // arithmetic every frame's normaliser is log P; normalising per frame instead cancels the
  // float32 rounding that alpha and beta share along a frame.
  const stateValid = g.op('Less', [x.unsqueeze(stateIndex, [0, 1]), x.unsqueeze(states, [1, 2])]); // (N, 1, S)
  const rowValid = g.op('And', [frameValid, x.unsqueeze(feasible, [1, 2])]); // (N, T, 1)
  const statePosterior = g.op(
    'Softmax',
    [
      // States past an utterance's end hold meaningless values: they must not enter the sum.
      g.op('Where', [stateValid, g.op('Add', [alpha, beta]), g.constant(CTC_LOG_ZERO)]),
    ],
    { axis: -1 },
  );
  const posterior = g.op('Where', [rowValid, statePosterior, g.constant(0)]); // (N, T, S)
  const symbolOfState = g.op(
    'Cast',
    [g.op('Equal', [x.unsqueeze(extended, [2]), x.unsqueeze(x.range(vocabSize), [0, 1])])],
    { to: 1 /* FLOAT */ },
  ); // (N, S, V)
  const occupancy = g.op('MatMul', [posterior, symbolOfState]); // (N, T, V)

  const shaped = { outputShapes: [inputs.scores.shape] };
  const gradient =
    scoresAre === 'logits'
      ? g.op(
          'Where',
          [rowValid, g.op('Sub', [g.op('Exp', [logProbs]), occupancy]), g.constant(0)],
          {},
          shaped,
        )
      : g.op('Neg', [occupancy], {}, shaped);
  return { loss, feasible, infeasibleCount, gradient };
}

/** (N, L) labels -> (N, 2L + 1) extended labels: blank, l1, blank, ..., lL, blank. */
function extendWithBlanks(
  g: GraphBuilder,
  targets: TensorHandle,
  blank: TensorHandle,
): TensorHandle {
  const x = helpers(g);
  const targetsShape = g.op('Shape', [targets]); // [N, L]
  const blanks = g.op('Expand', [
    blank,
    g.op('Concat', [targetsShape, g.int64s([1])], { axis: 0 }),
  ]); // (N, L, 1)
  const pairs = g.op('Concat', [blanks, x.unsqueeze(targets, [2])], { axis: 2 }); // (N, L, 2)
  const interleaved = g.op('Reshape', [pairs, g.op('Mul', [targetsShape, g.int64s([1, 2])])]);
  const lastBlank = g.op('Expand', [
    blank,
    g.op('Concat', [x.dim(targets, 0), g.int64s([1])], { axis: 0 }),
  ]); // (N, 1)
  return g.op('Concat', [interleaved, lastBlank], { axis: 1 });
}

/** (B, S): 0 where state s may be entered straight from s-2, log-zero elsewhere. */
function skipPenalty(g: GraphBuilder, extended: TensorHandle, blank: TensorHandle): TensorHandle {
  const x = helpers(g);
  const twoBack = x.sliceAxis(
    g.op('Pad', [extended, g.int64s([0, 2, 0, 0]), g.constant(-1n, { type: 'int64' })]),
    1,
    x.int64s1(0),
    g.int64s([-2]),
  );
  const allowed = g.op('And', [
    g.op('Not', [g.op('Equal', [extended, blank])]),
    g.op('Not', [g.op('Equal', [extended, twoBack])]),
  ]);
  return g.op('Where', [allowed, g.constant(0), g.constant(CTC_LOG_ZERO)]);
}

/** (B, S): 0 at state 0 and log-zero elsewhere, so that frame 0 may start in state 0 or 1. */
function initialAlpha(
  g: GraphBuilder,
  stateIndex: TensorHandle,
  batch: TensorHandle,
): TensorHandle {
  const x = helpers(g);
  const row = g.op('Where', [
    g.op('Equal', [stateIndex, x.int(0)]),
    g.constant(0),
    g.constant(CTC_LOG_ZERO),
  ]); // (S)
  return g.op('Expand', [
    x.unsqueeze(row, [0]),
    g.op('Concat', [batch, g.int64s([1])], { axis: 0 }),
  ]);
}

/** log P = logSumExp of alpha at each utterance's last frame over its two final states. */
function finalLogLikelihood(
  g: GraphBuilder,
  parts: {
    alpha: TensorHandle;
    frames: TensorHandle;
    states: TensorHandle;
    stateIndex: TensorHandle;
    stateCount: TensorHandle;
  },
): TensorHandle {
  const x = helpers(g);
  const lastFrame = g.op('Max', [g.op('Sub', [parts.frames, x.int(1)]), x.int(0)]);
  const lastFrameIndex = g.op('Expand', [
    x.unsqueeze(lastFrame, [1, 2]),
    g.op('Concat', [g.int64s([1, 1]), parts.stateCount], { axis: 0 }),
  ]); // (N, 1, S)
  const alphaLast = x.squeeze(
    g.op('GatherElements', [parts.alpha, lastFrameIndex], { axis: 1 }),
    [1],
  ); // (N, S)
  const fromEnd = g.op('Sub', [
    x.unsqueeze(g.op('Sub', [parts.states, x.int(1)]), [1]),
    x.unsqueeze(parts.stateIndex, [0]),
  ]); // (N, S): S_n - 1 - s
  const isFinalState = g.op('And', [
    g.op('GreaterOrEqual', [fromEnd, x.int(0)]),
    g.op('LessOrEqual', [fromEnd, x.int(1)]),
  ]);
  const finalAlpha = g.op('Where', [isFinalState, alphaLast, g.constant(CTC_LOG_ZERO)]);
  const max = g.op('ReduceMax', [finalAlpha], { axes: [1], keepdims: 1 }); // (N, 1)
  const sum = g.op('ReduceSum', [g.op('Exp', [g.op('Sub', [finalAlpha, max])]), g.int64s([1])], {
    keepdims: 1,
  });
  return x.squeeze(g.op('Add', [g.op('Log', [sum]), max]), [1]); // (N)
}

/** (N) how many valid labels equal the one before them. */
function countRepeats(
  g: GraphBuilder,
  targets: TensorHandle,
  labelValid: TensorHandle,
): TensorHandle {
  const x = helpers(g);
  const end = g.int64s([2 ** 53]);
  const current = x.sliceAxis(targets, 1, x.int64s1(1), end);
  const previous = x.sliceAxis(targets, 1, x.int64s1(0), g.int64s([-1]));
  const repeated = g.op('And', [
    g.op('Equal', [current, previous]),
    x.sliceAxis(labelValid, 1, x.int64s1(1), end),
  ]);
  return g.op(
    'ReduceSum',
    [g.op('Cast', [repeated], { to: 7 /* INT64 */ }), g.int64s([1])],
    { keepdims: 0 },
    { outputTypes: ['int64'] },
  );
}

/** Small shorthands over the builder for this module's shape plumbing. */
function helpers(g: GraphBuilder) {
  return {
    /** An int64 scalar constant. */
    int: (value: number) => g.constant(BigInt(value), { type: 'int64' }),
    /** A one-element int64 vector constant. */
    int64s1: (value: number) => g.int64s([value]),
    /** The size of one axis as a (1) int64 tensor. */
    dim: (value: TensorHandle, axis: number) =>
      g.op('Shape', [value], { start: axis, end: axis + 1 }),
    /** 0, 1, ..., n-1 for a (1) int64 n. */
    range: (count: TensorHandle) =>
      g.op('Range', [
        g.constant(0n, { type: 'int64' }),
        g.op('Squeeze', [count, g.int64s([0])]),
        g.constant(1n, { type: 'int64' }),
      ]),
    unsqueeze: (value: TensorHandle, axes: number[]) => g.op('Unsqueeze', [value, g.int64s(axes)]),
    squeeze: (value: TensorHandle, axes: number[]) => g.op('Squeeze', [value, g.int64s(axes)]),
    sliceAxis: (value: TensorHandle, axis: number, start: TensorHandle, end: TensorHandle) =>
      g.op('Slice', [value, start, end, g.int64s([axis])]),
    /** Reverses the first lengths[b] entries along the time axis of each batch entry. */
    reverse: (
      value: TensorHandle,
      lengths: TensorHandle,
      axes: { timeAxis: number; batchAxis: number } = { timeAxis: 1, batchAxis: 0 },
    ) =>
      g.op('ReverseSequence', [value, lengths], {
        time_axis: axes.timeAxis,
        batch_axis: axes.batchAxis,
      }),
  };
}
