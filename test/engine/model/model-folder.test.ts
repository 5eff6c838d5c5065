import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src-main/engine';
import { HarkError } from '../../../src-main/engine/errors';
import { loadModelFolder } from '../../../src-main/engine/model/model-folder';
import { GraphBuilder, decodeModel, encodeModel } from '../../../src-main/engine/onnx';
import {
  buildLinearCtcModel,
  defaultCharTokens,
  tokensTxt,
  writeModelFolder,
  type TinyModel,
} from '../../helpers/tiny-models';

const root = mkdtempSync(join(tmpdir(), 'hark-model-'));
let counter = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

function folderWith(model: TinyModel, edit?: (dir: string) => void): string {
  const dir = writeModelFolder(join(root, `m${counter++}`), model);
  edit?.(dir);
  return dir;
}

function withMetadataProps(model: TinyModel, props: Record<string, string>): TinyModel {
  const proto = decodeModel(model.bytes);
  proto.metadataProps = Object.entries(props).map(([key, value]) => ({ key, value }));
  return { ...model, bytes: encodeModel(proto) };
}

async function failure(promise: Promise<unknown>): Promise<HarkError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HarkError);
  return error as HarkError;
}

/** A CTC head whose output has no declared shape, so only running it shows its label count. */
function undeclaredOutputModel(labels: number, vocabSize: number): TinyModel {
  const g = new GraphBuilder({ name: 'undeclared' });
  const x = g.input('audio_signal', 'float32', ['N', 80, 'T']);
  g.input('length', 'int64', ['N']);
  const frames = g.op('Transpose', [x], { perm: [0, 2, 1] });
  const w = g.initializer('w', new Float32Array(80 * labels).fill(0.01), [80, labels]);
  g.output(g.op('LogSoftmax', [g.op('MatMul', [frames, w])], { axis: -1 }), 'logprobs');
  const tokens = defaultCharTokens()
    .slice(0, vocabSize - 1)
    .concat('<blk>');
  const metadata = {
    model_type: 'EncDecCTCModelBPE',
    vocab_size: String(vocabSize),
    subsampling_factor: '1',
    normalize_type: 'per_feature',
  };
  for (const [key, value] of Object.entries(metadata)) g.metadata(key, value);
  return {
    bytes: g.toModelBytes(),
    tokens,
    tokensTxt: tokensTxt(tokens),
    blankId: vocabSize - 1,
    subsamplingFactor: 1,
    metadata,
  };
}

describe('loadModelFolder', () => {
  const good = buildLinearCtcModel({ seed: 2 });

  it('reads a valid folder: vocabulary, metadata, card', async () => {
    const dir = folderWith(good, (d) =>
      writeFileSync(join(d, 'model.json'), JSON.stringify({ name: 'tiny-en', parameters: 9280 })),
    );
    const folder = await loadModelFolder(dir);
    expect(folder.name).toBe('tiny-en');
    expect(folder.vocabSize).toBe(good.tokens.length);
    expect(folder.vocabulary.blankId).toBe(good.blankId);
    expect(folder.subsamplingFactor).toBe(4);
    expect(folder.normalizeType).toBe('per_feature');
    expect(folder.outputName).toBe('logprobs');
    expect(folder.card).toEqual({ name: 'tiny-en', parameters: 9280 });
  });

  it('names the model after its folder when there is no card', async () => {
    const dir = folderWith(good);
    const folder = await loadModelFolder(dir);
    expect(folder.name).toBe(dir.split('/').at(-1));
    expect(folder.card).toEqual({});
  });

  it('reports a missing folder, a file in its place and each missing file', async () => {
    expect((await failure(loadModelFolder(join(root, 'nowhere')))).code).toBe('MODEL_NOT_FOUND');
    const file = join(root, 'plain-file');
    writeFileSync(file, 'x');
    expect((await failure(loadModelFolder(file))).message).toMatch(/not a model folder/);
    const noModel = folderWith(good, (d) => unlinkSync(join(d, 'model.onnx')));
    const e1 = await failure(loadModelFolder(noModel));
    expect([e1.code, e1.message]).toEqual([
      'MODEL_INVALID',
      expect.stringMatching(/model\.onnx is missing/),
    ]);
    const noTokens = folderWith(good, (d) => unlinkSync(join(d, 'tokens.txt')));
    expect((await failure(loadModelFolder(noTokens))).message).toMatch(/tokens\.txt is missing/);
  });

  it('reports a malformed tokens.txt or model.json, naming the file', async () => {
    const badTokens = folderWith(good, (d) => writeFileSync(join(d, 'tokens.txt'), 'a 0\nb c d\n'));
    const e1 = await failure(loadModelFolder(badTokens));
    expect(e1.code).toBe('MODEL_INVALID');
    expect(e1.file).toBe(join(badTokens, 'tokens.txt'));
    const badCard = folderWith(good, (d) => writeFileSync(join(d, 'model.json'), '{ name: '));
    const e2 = await failure(loadModelFolder(badCard));
    expect(e2.file).toBe(join(badCard, 'model.json'));
    expect(e2.message).toMatch(/not valid JSON/);
  });

  it('reports a broken model.onnx and missing or wrong metadata', async () => {
    const garbage = folderWith(good, (d) =>
      writeFileSync(join(d, 'model.onnx'), 'not a model at all'),
    );
    expect((await failure(loadModelFolder(garbage))).code).toBe('MODEL_INVALID');
    const noMeta = folderWith(withMetadataProps(good, { model_type: 'EncDecCTCModelBPE' }));
    expect((await failure(loadModelFolder(noMeta))).message).toMatch(
      /lacks vocab_size, subsampling_factor/,
    );
    const wrongType = folderWith(
      withMetadataProps(good, { ...good.metadata, model_type: 'whisper' }),
    );
    expect((await failure(loadModelFolder(wrongType))).message).toMatch(/model_type "whisper"/);
    const badFactor = folderWith(
      withMetadataProps(good, { ...good.metadata, subsampling_factor: 'four' }),
    );
    expect((await failure(loadModelFolder(badFactor))).message).toMatch(
      /subsampling_factor must be a positive integer/,
    );
    const badNorm = folderWith(
      withMetadataProps(good, { ...good.metadata, normalize_type: 'all_features_x' }),
    );
    expect((await failure(loadModelFolder(badNorm))).message).toMatch(/normalize_type/);
  });

  it('reports a vocabulary that differs from the metadata or from the output', async () => {
    const extraToken = folderWith(good, (d) =>
      writeFileSync(join(d, 'tokens.txt'), good.tokensTxt + `zz ${good.tokens.length}\n`),
    );
    expect((await failure(loadModelFolder(extraToken))).message).toMatch(
      /has 30 tokens but model\.onnx metadata says vocab_size 29/,
    );
    const both = withMetadataProps(good, { ...good.metadata, vocab_size: '30' });
    const dir = folderWith(both, (d) =>
      writeFileSync(join(d, 'tokens.txt'), good.tokensTxt + `zz ${good.tokens.length}\n`),
    );
    expect((await failure(loadModelFolder(dir))).message).toMatch(
      /output logprobs has 29 labels per frame but the vocabulary has 30/,
    );
  });

  it('reports wrong input names', async () => {
    const g = new GraphBuilder({ name: 'renamed' });
    const x = g.input('features', 'float32', ['N', 80, 'T']);
    g.input('length', 'int64', ['N']);
    g.output(g.op('Identity', [x]), 'logprobs');
    const model = withMetadataProps({ ...good, bytes: g.toModelBytes() }, good.metadata);
    const error = await failure(loadModelFolder(folderWith(model)));
    expect(error.message).toMatch(
      /inputs must be audio_signal, length \(in that order\), found features, length/,
    );
  });

  it('catches a label count the graph does not declare when the engine starts', async () => {
    const dir = folderWith(undeclaredOutputModel(12, 10));
    await expect(loadModelFolder(dir)).resolves.toMatchObject({ vocabSize: 10 });
    const error = await failure(Engine.create({ modelDir: dir, device: 'cpu' }));
    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toMatch(/12 labels per frame but the vocabulary has 10/);
    const fine = folderWith(undeclaredOutputModel(10, 10));
    const engine = await Engine.create({ modelDir: fine, device: 'cpu' });
    expect(engine.model.vocabSize).toBe(10);
    await engine.dispose();
  });

  it('rejects a model folder that is a directory tree without files', async () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect((await failure(loadModelFolder(empty))).message).toMatch(/model\.onnx is missing/);
  });
});
