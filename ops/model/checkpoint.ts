// A checkpoint is a folder other tools can read:
//   config.json        the LlamaConfig (HF field names)
//   model.safetensors  weights (F32 by default; BF16/F16 on request, then lossy)
//   optimizer.safetensors  AdamW moments as exp_avg.<name> / exp_avg_sq.<name> (always F32)
//   trainer_state.json {formatVersion, step, policyVersion, optimizerStep, rngState, extra}
// Files are written to a temp name and renamed, so a crash never leaves a half file under the
// final name; a save that fails (a full disk) removes its temp file and the files it had
// written, and throws a CheckpointError naming the path. A run keeps its step checkpoints as
// <runDir>/checkpoints/step-NNNNN (stepCheckpointDir, pruneCheckpoints). Not a registry of
// checkpoints and not the weight broadcast.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { Rng } from '../rng.ts';
import type { AdamWState } from './adamw.ts';
import { ConfigError, type LlamaConfig, checkParams, paramShapes, parseLlamaConfig } from './config.ts';
import { type DiskDType, type NamedTensor, readSafetensors, writeSafetensors } from './safetensors.ts';

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

export class CheckpointError extends Error {
  /** DISK_FULL / WRITE_FAILED: a save could not write `field` (a path); nothing of that save is left. */
  readonly code: 'MISSING_FILE' | 'BAD_STATE' | 'PARAM_MISMATCH' | 'DISK_FULL' | 'WRITE_FAILED';
  /** The file, tensor or field at fault. */
  readonly field: string;
  constructor(code: CheckpointError['code'], field: string, message: string) {
    super(message);
    this.name = 'CheckpointError';
    this.code = code;
    this.field = field;
  }
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
  /** On-disk dtype of model.safetensors (default F32; the optimizer state is always F32). */
  dtype?: DiskDType;
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

/**
 * Writes `path` through a temp file and a rename, so no reader ever sees part of it. On any
 * failure the temp file is removed and the error is a CheckpointError naming `path`
 * (DISK_FULL for a full disk or quota, WRITE_FAILED otherwise), with a HINT.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    const full = code === 'ENOSPC' || code === 'EDQUOT';
    const err = full
      ? new CheckpointError('DISK_FULL', path, `cannot write ${path}: disk full (${code})\nHINT: free space on that file system, or write elsewhere (another --run-dir or --out)`)
      : new CheckpointError('WRITE_FAILED', path, `cannot write ${path}: ${(e as Error).message}\nHINT: check that the directory is writable, or write elsewhere (another --run-dir or --out)`);
    throw Object.assign(err, { cause: e });
  }
}

/** The files one save has written, removed again when a later one fails. */
class SaveFiles {
  private readonly written: string[] = [];
  write(path: string, data: Uint8Array | string): void {
    writeFileAtomic(path, data);
    this.written.push(path);
  }
  /** Runs `fn`; if it throws, removes every file written so far and rethrows. */
  run<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      for (const p of this.written) rmSync(p, { force: true });
      throw e;
    }
  }
}

function tensorsOf(config: LlamaConfig, params: ReadonlyMap<string, Float32Array>): Map<string, NamedTensor> {
  const out = new Map<string, NamedTensor>();
  for (const [name, shape] of paramShapes(config)) out.set(name, { shape, data: params.get(name)! });
  return out;
}

export function saveCheckpoint(dir: string, ckpt: CheckpointInput, opts: SaveOptions = {}): void {
  const files = new SaveFiles();
  files.run(() => {
    writeWeights(files, dir, ckpt, opts);
    writeTrainerState(files, dir, ckpt);
  });
}

/**
 * The weights half of a checkpoint: config.json and model.safetensors (each written
 * atomically). Returns the bytes of model.safetensors, e.g. to digest them without reading
 * the file back. Not a complete checkpoint until saveTrainerState has run.
 */
export function saveWeights(dir: string, ckpt: Pick<CheckpointInput, 'config' | 'params' | 'state'>, opts: SaveOptions = {}): Uint8Array {
  const files = new SaveFiles();
  return files.run(() => writeWeights(files, dir, ckpt, opts));
}

function writeWeights(files: SaveFiles, dir: string, ckpt: Pick<CheckpointInput, 'config' | 'params' | 'state'>, opts: SaveOptions): Uint8Array {
  checkParams(ckpt.config, ckpt.params);
  mkdirSync(dir, { recursive: true });
  // A checkpoint saved here before is no longer complete once its weights start to change.
  rmSync(join(dir, 'trainer_state.json'), { force: true });
  files.write(join(dir, 'config.json'), `${JSON.stringify(ckpt.config, null, 2)}\n`);
  const bytes = writeSafetensors(tensorsOf(ckpt.config, ckpt.params), {
    dtype: opts.dtype ?? 'F32',
    metadata: { step: String(ckpt.state.step), policyVersion: String(ckpt.state.policyVersion) },
  });
  files.write(join(dir, 'model.safetensors'), bytes);
  return bytes;
}

/** The rest of a checkpoint: optimizer.safetensors, then trainer_state.json, whose presence marks it complete. */
export function saveTrainerState(dir: string, ckpt: CheckpointInput): void {
  const files = new SaveFiles();
  files.run(() => writeTrainerState(files, dir, ckpt));
}

function writeTrainerState(files: SaveFiles, dir: string, ckpt: CheckpointInput): void {
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
    files.write(join(dir, 'optimizer.safetensors'), writeSafetensors(t, { metadata: { step: String(ckpt.optimizer.step) } }));
  }
  // Written last: its presence marks a complete checkpoint.
  files.write(join(dir, 'trainer_state.json'), `${JSON.stringify(state, null, 2)}\n`);
}

function readFile(dir: string, name: string): Buffer {
  const p = join(dir, name);
  if (!existsSync(p)) throw new CheckpointError('MISSING_FILE', name, `checkpoint ${dir} has no ${name}`);
  return readFileSync(p);
}

/** Load weights from model.safetensors for a config; names every missing/extra/mis-shaped tensor. */
export function loadParams(config: LlamaConfig, buf: Uint8Array): Map<string, Float32Array> {
  const { tensors } = readSafetensors(buf);
  const params = new Map<string, Float32Array>();
  for (const [name, shape] of paramShapes(config)) {
    const t = tensors.get(name);
    if (!t) throw new CheckpointError('PARAM_MISMATCH', name, `model.safetensors lacks ${name}`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new CheckpointError(
        'PARAM_MISMATCH',
        name,
        `${name} has shape [${t.shape.join(', ')}], config wants [${shape.join(', ')}]`,
      );
    }
    params.set(name, t.data);
  }
  for (const name of tensors.keys()) {
    if (!params.has(name)) throw new CheckpointError('PARAM_MISMATCH', name, `model.safetensors has unexpected tensor ${name}`);
  }
  return params;
}

export function loadCheckpoint(dir: string): Checkpoint {
  let rawState: unknown;
  let rawConfig: unknown;
  try {
    rawState = JSON.parse(readFile(dir, 'trainer_state.json').toString('utf8'));
    rawConfig = JSON.parse(readFile(dir, 'config.json').toString('utf8'));
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError('BAD_STATE', '(json)', `checkpoint ${dir}: ${(e as Error).message}`);
  }
  const parsed = TrainerState.safeParse(rawState);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    const field = i.path.join('.') || '(root)';
    throw new CheckpointError('BAD_STATE', field, `trainer_state.json: ${field}: ${i.message}`);
  }
  const state = parsed.data;
  let config: LlamaConfig;
  try {
    config = parseLlamaConfig(rawConfig);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`config.json: ${e.message}`, e.fields);
    throw e;
  }
  const params = loadParams(config, readFile(dir, 'model.safetensors'));
  let optimizer: AdamWState | null = null;
  if (state.optimizerStep !== null) {
    const { tensors } = readSafetensors(readFile(dir, 'optimizer.safetensors'));
    const m = new Map<string, Float32Array>();
    const v = new Map<string, Float32Array>();
    for (const name of paramShapes(config).keys()) {
      for (const [key, into] of [
        [`exp_avg.${name}`, m],
        [`exp_avg_sq.${name}`, v],
      ] as const) {
        const t = tensors.get(key);
        if (!t || t.data.length !== params.get(name)!.length) {
          throw new CheckpointError('PARAM_MISMATCH', key, `optimizer.safetensors: ${key} missing or mis-sized`);
        }
        into.set(name, t.data);
      }
    }
    optimizer = { step: state.optimizerStep, m, v };
  }
  return { config, params, optimizer, state };
}
