// A checkpoint is a model directory as Hugging Face lays it out (ops/model/model-dir.ts), so
// other tools read it and it reads theirs, plus the training state:
//   config.json        the LlamaConfig (HF field names)
//   model.safetensors  weights (F32 by default; BF16/F16 on request, then lossy), or, above
//                      SaveOptions.shardBytes (2 GiB), model-0000i-of-0000n.safetensors shards
//                      and model.safetensors.index.json
//   optimizer.safetensors  AdamW moments as exp_avg.<name> / exp_avg_sq.<name> (always F32)
//   trainer_state.json {formatVersion, step, policyVersion, optimizerStep, rngState, extra}
//   tokenizer.json, tokenizer_config.json, chat template, generation_config.json, ...: copied
//                      from the base model (SaveOptions.tokenizerFrom, model-dir.ts
//                      TOKENIZER_FILES), so a step checkpoint of a real model is a complete
//                      model directory; the embedded byte-level policy has none
// Files are written to a temp name and renamed, so a crash never leaves a half file under the
// final name; a save that fails (a full disk) removes its temp file and the files it had
// written, and throws a CheckpointError naming the path. A run keeps its step checkpoints as
// <runDir>/checkpoints/step-NNNNN (stepCheckpointDir, pruneCheckpoints). Not a registry of
// checkpoints and not the weight broadcast.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { Rng } from '../rng.ts';
import type { AdamWState } from './adamw.ts';
import { type LlamaConfig, checkParams, numel, paramShapes } from './config.ts';
import { CheckpointError, copyTokenizerFiles, SaveFiles, paramsFromBytes, readModelConfig, readModelWeights, writeModelDir } from './model-dir.ts';
import { type DiskDType, type NamedTensor, SafetensorsReader, writeSafetensorsFile } from './safetensors.ts';

export { CheckpointError, writeFileAtomic } from './model-dir.ts';

export const CHECKPOINT_FORMAT_VERSION = 1;

export const TrainerState = z.strictObject({
  /** Bumped when this layout changes. */
  formatVersion: z.literal(CHECKPOINT_FORMAT_VERSION),
  /** Learner step that produced these weights. */
  step: z.number().int().min(0),
  /** Policy version published with these weights. */
  policyVersion: z.number().int().min(0),
  /** AdamW bias-correction step count (null when no optimizer state is stored). */
  optimizerStep: z.number().int().min(0).nullable(),
  /** The learner's xoshiro128** state (4 uint32), or null. */
  rngState: z.array(z.number().int().min(0).max(0xffffffff)).length(4).nullable(),
  /** Free-form JSON the caller wants back (schedule, data cursor, ...). */
  extra: z.record(z.string(), z.unknown()).default({}),
});
export type TrainerState = z.infer<typeof TrainerState>;

/**
 * A trainer state with the usual blanks filled: step 0, policyVersion = step, no optimizer
 * step, no rng state, no extra.
 */
export function trainerState(s: { step?: number; policyVersion?: number; optimizerStep?: number | null; rngState?: number[] | null; extra?: Record<string, unknown> } = {}): TrainerState {
  const step = s.step ?? 0;
  return { formatVersion: CHECKPOINT_FORMAT_VERSION, step, policyVersion: s.policyVersion ?? step, optimizerStep: s.optimizerStep ?? null, rngState: s.rngState ?? null, extra: s.extra ?? {} };
}

/** A run's checkpoint of step `step`: `<runDir>/checkpoints/step-00042`. */
export function stepCheckpointDir(runDir: string, step: number): string {
  return join(runDir, 'checkpoints', `step-${String(step).padStart(5, '0')}`);
}

/** Removes a run's step checkpoints before `latest` except the newest `keep` of them and the steps `kept` says to keep. */
export function pruneCheckpoints(runDir: string, latest: number, keep: number, kept: (step: number) => boolean = () => false): void {
  const root = join(runDir, 'checkpoints');
  if (!existsSync(root)) return;
  const steps = readdirSync(root)
    .map((n) => /^step-(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .filter((s) => s < latest && !kept(s))
    .sort((a, b) => b - a);
  for (const s of steps.slice(keep)) rmSync(stepCheckpointDir(runDir, s), { recursive: true, force: true });
}

export interface Checkpoint {
  config: LlamaConfig;
  params: Map<string, Float32Array>;
  /** AdamW state, or null for a weights-only checkpoint. */
  optimizer: AdamWState | null;
  state: TrainerState;
}

/**
 * What a caller saves. formatVersion and optimizerStep may be omitted: the first is always
 * CHECKPOINT_FORMAT_VERSION and the second is taken from `optimizer` (a TrainerState read
 * from another checkpoint can be passed as is).
 */
export interface CheckpointInput {
  config: LlamaConfig;
  params: ReadonlyMap<string, Float32Array>;
  optimizer: AdamWState | null;
  state: {
    step: number;
    policyVersion: number;
    rngState?: number[] | null;
    extra?: Record<string, unknown>;
    formatVersion?: typeof CHECKPOINT_FORMAT_VERSION;
    optimizerStep?: number | null;
  };
}

export interface SaveOptions {
  /** On-disk dtype of the weights (default F32; the optimizer state is always F32). */
  dtype?: DiskDType;
  /** Weights above this many bytes are sharded with an index (default DEFAULT_SHARD_BYTES, 2 GiB). */
  shardBytes?: number;
  /** A model directory whose tokenizer files (TOKENIZER_FILES) are copied in, before trainer_state.json. */
  tokenizerFrom?: string;
}

/** sha256 (hex) of the float32 weights in sorted parameter-name order: identifies a policy bit for bit. */
export function paramsDigest(params: ReadonlyMap<string, Float32Array>): string {
  const h = createHash('sha256');
  for (const name of [...params.keys()].sort()) {
    const v = params.get(name)!;
    h.update(name);
    h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  }
  return h.digest('hex');
}

/** The Rng's internal state, for the checkpoint (ops/rng.ts keeps it private, we read it here). */
export function captureRng(rng: Rng): number[] {
  const r = rng as unknown as { s0: number; s1: number; s2: number; s3: number };
  return [r.s0, r.s1, r.s2, r.s3].map((x) => x >>> 0);
}

/** An Rng that continues exactly where the captured one stopped. */
export function restoreRng(state: readonly number[]): Rng {
  const rng = new Rng(0);
  const r = rng as unknown as { s0: number; s1: number; s2: number; s3: number };
  [r.s0, r.s1, r.s2, r.s3] = state;
  return rng;
}

export function saveCheckpoint(dir: string, ckpt: CheckpointInput, opts: SaveOptions = {}): void {
  const files = new SaveFiles();
  files.run(() => {
    writeWeights(files, dir, ckpt, opts);
    writeTrainerState(files, dir, ckpt, opts);
  });
}

/**
 * The weights half of a checkpoint: config.json and model.safetensors, or the sharded layout
 * above opts.shardBytes (each file written atomically). Returns the bytes of
 * model.safetensors, e.g. to digest them without reading the file back, or undefined when the
 * weights were sharded (streamed to disk). Not a complete checkpoint until saveTrainerState has run.
 */
export function saveWeights(dir: string, ckpt: Pick<CheckpointInput, 'config' | 'params' | 'state'>, opts: SaveOptions = {}): Uint8Array | undefined {
  const files = new SaveFiles();
  return files.run(() => writeWeights(files, dir, ckpt, opts));
}

function writeWeights(files: SaveFiles, dir: string, ckpt: Pick<CheckpointInput, 'config' | 'params' | 'state'>, opts: SaveOptions): Uint8Array | undefined {
  checkParams(ckpt.config, ckpt.params); // before anything of an older checkpoint is touched
  mkdirSync(dir, { recursive: true });
  // A checkpoint saved here before is no longer complete once its weights start to change.
  rmSync(join(dir, 'trainer_state.json'), { force: true });
  return writeModelDir(files, dir, ckpt.config, ckpt.params, {
    dtype: opts.dtype ?? 'F32',
    shardBytes: opts.shardBytes,
    metadata: { step: String(ckpt.state.step), policyVersion: String(ckpt.state.policyVersion) },
  });
}

/**
 * The rest of a checkpoint: optimizer.safetensors, the tokenizer files of opts.tokenizerFrom,
 * then trainer_state.json, whose presence marks it complete.
 */
export function saveTrainerState(dir: string, ckpt: CheckpointInput, opts: Pick<SaveOptions, 'tokenizerFrom'> = {}): void {
  const files = new SaveFiles();
  files.run(() => writeTrainerState(files, dir, ckpt, opts));
}

function writeTrainerState(files: SaveFiles, dir: string, ckpt: CheckpointInput, opts: Pick<SaveOptions, 'tokenizerFrom'>): void {
  const state = TrainerState.parse({
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    step: ckpt.state.step,
    policyVersion: ckpt.state.policyVersion,
    optimizerStep: ckpt.optimizer ? ckpt.optimizer.step : null,
    rngState: ckpt.state.rngState ?? null,
    extra: ckpt.state.extra ?? {},
  });
  mkdirSync(dir, { recursive: true });
  if (ckpt.optimizer) {
    const t = new Map<string, NamedTensor>();
    for (const [name, shape] of paramShapes(ckpt.config)) {
      const m = ckpt.optimizer.m.get(name);
      const v = ckpt.optimizer.v.get(name);
      // Before the first step the moments do not exist yet: they are zero by definition.
      t.set(`exp_avg.${name}`, { shape, data: m ?? new Float32Array(ckpt.params.get(name)!.length) });
      t.set(`exp_avg_sq.${name}`, { shape, data: v ?? new Float32Array(ckpt.params.get(name)!.length) });
    }
    // Streamed: twice the weights in F32, too big to build in memory for a large model.
    const step = String(ckpt.optimizer.step);
    files.writeWith(join(dir, 'optimizer.safetensors'), (fd) => writeSafetensorsFile(fd, t, { metadata: { step } }));
  }
  if (opts.tokenizerFrom !== undefined) copyTokenizerFiles(opts.tokenizerFrom, dir, files);
  // Written last: its presence marks a complete checkpoint.
  files.write(join(dir, 'trainer_state.json'), `${JSON.stringify(state, null, 2)}\n`);
}

function readFile(dir: string, name: string): Buffer {
  const p = join(dir, name);
  if (!existsSync(p)) throw new CheckpointError('MISSING_FILE', name, `checkpoint ${dir} has no ${name}`, p);
  return readFileSync(p);
}

/**
 * Weights for a config from one safetensors buffer (a policy version from the object store,
 * or a model.safetensors read whole); `label` names the buffer in errors. The same checks as
 * a model directory load: every missing, extra, mis-shaped or mis-typed tensor is named.
 */
export function loadParams(config: LlamaConfig, buf: Uint8Array, label = 'model.safetensors'): Map<string, Float32Array> {
  return paramsFromBytes(config, buf, label);
}

export interface LoadOptions {
  /**
   * Accept a bare model directory (config.json and weights, no trainer_state.json, e.g. one
   * from Hugging Face) as step 0 without optimizer state. For base models only: a step
   * checkpoint without trainer_state.json is an incomplete save.
   */
  allowModelDir?: boolean;
}

/** A checkpoint directory (see the file comment); every defect is a CheckpointError, SafetensorsError or ConfigError naming its file. */
export function loadCheckpoint(dir: string, opts: LoadOptions = {}): Checkpoint {
  const statePath = join(dir, 'trainer_state.json');
  if (opts.allowModelDir && !existsSync(statePath)) {
    const config = readModelConfig(dir);
    const { params } = readModelWeights(dir, config);
    return { config, params, optimizer: null, state: trainerState() };
  }
  let rawState: unknown;
  try {
    rawState = JSON.parse(readFile(dir, 'trainer_state.json').toString('utf8'));
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError('BAD_STATE', '(json)', `${statePath}: ${(e as Error).message}`, statePath);
  }
  const parsed = TrainerState.safeParse(rawState);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    const field = i.path.join('.') || '(root)';
    throw new CheckpointError('BAD_STATE', field, `trainer_state.json: ${field}: ${i.message}`, statePath);
  }
  const state = parsed.data;
  const config = readModelConfig(dir);
  const { params } = readModelWeights(dir, config);
  let optimizer: AdamWState | null = null;
  if (state.optimizerStep !== null) optimizer = { step: state.optimizerStep, ...loadMoments(dir, config) };
  return { config, params, optimizer, state };
}

function loadMoments(dir: string, config: LlamaConfig): Pick<AdamWState, 'm' | 'v'> {
  const path = join(dir, 'optimizer.safetensors');
  if (!existsSync(path)) throw new CheckpointError('MISSING_FILE', 'optimizer.safetensors', `checkpoint ${dir} has no optimizer.safetensors (trainer_state.json has an optimizerStep)`, path);
  const r = SafetensorsReader.open(path);
  try {
    const m = new Map<string, Float32Array>();
    const v = new Map<string, Float32Array>();
    for (const [name, shape] of paramShapes(config)) {
      for (const [key, into] of [
        [`exp_avg.${name}`, m],
        [`exp_avg_sq.${name}`, v],
      ] as const) {
        const t = r.tensors.get(key);
        if (!t || numel(t.shape) !== numel(shape)) {
          const found = t ? `has shape [${t.shape.join(', ')}]` : 'is missing';
          throw new CheckpointError('PARAM_MISMATCH', key, `${path}: tensor ${key} ${found}, expected [${shape.join(', ')}]\nHINT: the optimizer state belongs to another config; resume without it or from a matching checkpoint`, path);
        }
        into.set(name, r.read(key));
      }
    }
    return { m, v };
  } finally {
    r.close();
  }
}
