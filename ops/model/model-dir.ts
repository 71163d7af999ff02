// A model directory as Hugging Face lays it out, read and written:
//   config.json                     the config (HF field names; parseLlamaConfig is the judge)
//   model.safetensors               all weights in one file, or
//   model.safetensors.index.json    {"metadata": {"total_size": N}, "weight_map": {tensor: shard}}
//   model-00001-of-0000N.safetensors ... the shards it names
// Weights may be F32, F16 or BF16 (any mix) and come back as F32, exactly. Only the tensors
// paramShapes(config) lists are read, each by offset into its own Float32Array (a multi-GB
// file is never held in memory). Extra tensors are an error unless IGNORED_TENSORS names them;
// lm_head.weight with tie_word_embeddings is accepted only when it equals the embedding.
// Every defect fails at load with a CheckpointError naming the file, the tensor and the
// expected shape, with a HINT. Writing: up to DEFAULT_SHARD_BYTES (2 GiB) one model.safetensors
// built in memory (its bytes are returned, e.g. for a digest); above it shards streamed to disk
// and the index. Also here: CheckpointError, the atomic file writes that checkpoint.ts
// builds its step checkpoints from, and the copy of a model's tokenizer files (TOKENIZER_FILES)
// from one directory to another. Not the optimizer/trainer state (checkpoint.ts).
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ConfigError, type LlamaConfig, checkParams, paramShapes, parseLlamaConfig } from './config.ts';
import { type DiskDType, DTYPE_BYTES, type NamedTensor, SafetensorsReader, type TensorInfo, isDiskDType, writeSafetensors, writeSafetensorsFile } from './safetensors.ts';

export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'model.safetensors';
export const WEIGHTS_INDEX_FILE = 'model.safetensors.index.json';
/** Weights above this many bytes are written as shards of at most this size (a tensor larger than it gets a shard of its own). */
export const DEFAULT_SHARD_BYTES = 2 * 1024 ** 3;
const SHARD_NAME = /^model-\d{5}-of-\d{5}\.safetensors$/;

/** The HF shard file name: model-00002-of-00003.safetensors. */
export function shardFileName(i: number, n: number): string {
  return `model-${String(i).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.safetensors`;
}

/**
 * Tensors that Hugging Face checkpoints carry but that are not parameters, skipped by name
 * (their dtype and shape are not checked, their bytes not read). Anything else a directory
 * holds beyond paramShapes(config) is an error.
 */
export const IGNORED_TENSORS: readonly { pattern: RegExp; why: string }[] = [
  {
    pattern: /(^|\.)rotary_emb\.inv_freq$/,
    why: 'RoPE inverse frequencies that older transformers versions saved as a buffer (model.layers.N.self_attn.rotary_emb.inv_freq); recomputed here from rope_theta',
  },
];

export function isIgnoredTensor(name: string): boolean {
  return IGNORED_TENSORS.some((t) => t.pattern.test(name));
}

export type CheckpointErrorCode =
  | 'MISSING_FILE'
  | 'BAD_CONFIG'
  | 'BAD_INDEX'
  | 'MISSING_TENSOR'
  | 'UNEXPECTED_TENSOR'
  | 'BAD_SHAPE'
  | 'BAD_DTYPE'
  | 'TIED_MISMATCH'
  | 'BAD_STATE'
  | 'PARAM_MISMATCH'
  | 'DISK_FULL'
  | 'WRITE_FAILED';

export class CheckpointError extends Error {
  /** DISK_FULL / WRITE_FAILED: a save could not write `field` (a path); nothing of that save is left. */
  readonly code: CheckpointErrorCode;
  /** The file, tensor or field at fault (the tensor, for the tensor codes). */
  readonly field: string;
  /** The file at fault, where there is one. */
  readonly file: string | undefined;
  constructor(code: CheckpointErrorCode, field: string, message: string, file?: string) {
    super(message);
    this.name = 'CheckpointError';
    this.code = code;
    this.field = field;
    this.file = file;
  }
}

const fmt = (shape: readonly number[]) => `[${shape.join(', ')}]`;

// --- atomic writes -----------------------------------------------------------------------

function writeError(path: string, e: unknown): CheckpointError {
  const code = (e as NodeJS.ErrnoException).code;
  const full = code === 'ENOSPC' || code === 'EDQUOT';
  const err = full
    ? new CheckpointError('DISK_FULL', path, `cannot write ${path}: disk full (${code})\nHINT: free space on that file system, or write elsewhere (another --run-dir or --out)`, path)
    : new CheckpointError('WRITE_FAILED', path, `cannot write ${path}: ${(e as Error).message}\nHINT: check that the directory is writable, or write elsewhere (another --run-dir or --out)`, path);
  return Object.assign(err, { cause: e });
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
    throw writeError(path, e);
  }
}

/** writeFileAtomic for content streamed by `fill` into an open file descriptor. */
export function writeFileAtomicWith(path: string, fill: (fd: number) => void): void {
  const tmp = `${path}.tmp-${process.pid}`;
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'w');
    fill(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== null) closeSync(fd);
    rmSync(tmp, { force: true });
    if (typeof (e as NodeJS.ErrnoException).errno !== 'number') throw e; // not an I/O failure: a bug or bad input
    throw writeError(path, e);
  }
}

/** The files one save has written, removed again when a later one fails. */
export class SaveFiles {
  private readonly written: string[] = [];
  write(path: string, data: Uint8Array | string): void {
    writeFileAtomic(path, data);
    this.written.push(path);
  }
  writeWith(path: string, fill: (fd: number) => void): void {
    writeFileAtomicWith(path, fill);
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

// --- tokenizer files -----------------------------------------------------------------------

/**
 * The files beside the weights that make a directory a complete model for Hugging Face tools
 * and for this engine's prompt format (ops/recipe/template.ts): the tokenizer (tokenizer.json,
 * and the slow tokenizers' vocab.json / merges.txt / tokenizer.model), its special tokens
 * (tokenizer_config.json, special_tokens_map.json), the chat template (chat_template.jinja /
 * chat_template.json) and generation_config.json (its eos_token_id adds stop ids).
 */
export const TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'generation_config.json',
  'chat_template.jinja',
  'chat_template.json',
  'vocab.json',
  'merges.txt',
  'tokenizer.model',
] as const;

/**
 * Copies those of TOKENIZER_FILES that `from` has into `to` (each atomically, within the
 * caller's save when `files` is given); returns their names. A directory without any (the
 * embedded byte-level policy) copies nothing.
 */
export function copyTokenizerFiles(from: string, to: string, files: SaveFiles = new SaveFiles()): string[] {
  const names = TOKENIZER_FILES.filter((n) => existsSync(join(from, n)));
  if (names.length === 0) return [];
  mkdirSync(to, { recursive: true });
  files.run(() => {
    for (const n of names) files.write(join(to, n), readFileSync(join(from, n)));
  });
  return names;
}

// --- writing -----------------------------------------------------------------------------

export interface WeightsWriteOptions {
  /** On-disk dtype of every tensor (default F32; F16/BF16 round to nearest even). */
  dtype?: DiskDType;
  /** Shard above this many bytes of tensor data (default DEFAULT_SHARD_BYTES). */
  shardBytes?: number;
  /** String metadata for every weights file's __metadata__. */
  metadata?: Record<string, string>;
}

/**
 * Writes config.json and the weights (model.safetensors, or shards and
 * model.safetensors.index.json when the data exceeds opts.shardBytes), each file atomically,
 * after removing the other layout's files. Returns the bytes of model.safetensors, or
 * undefined when sharded (the shards are streamed to disk, never built in memory).
 */
export function saveModelDir(dir: string, config: LlamaConfig, params: ReadonlyMap<string, Float32Array>, opts: WeightsWriteOptions = {}): Uint8Array | undefined {
  const files = new SaveFiles();
  return files.run(() => writeModelDir(files, dir, config, params, opts));
}

/** saveModelDir within a caller's save (its files are removed with the caller's on failure). */
export function writeModelDir(files: SaveFiles, dir: string, config: LlamaConfig, params: ReadonlyMap<string, Float32Array>, opts: WeightsWriteOptions = {}): Uint8Array | undefined {
  checkParams(config, params);
  const dtype = opts.dtype ?? 'F32';
  const limit = opts.shardBytes ?? DEFAULT_SHARD_BYTES;
  if (!(limit > 0)) throw new RangeError(`shardBytes must be positive, got ${limit}`);
  const tensors = new Map<string, NamedTensor>();
  for (const [name, shape] of paramShapes(config)) tensors.set(name, { shape, data: params.get(name)! });
  const meta = { ...opts.metadata };
  // Shards of at most `limit` bytes, in parameter order.
  const shards: Map<string, NamedTensor>[] = [];
  let size = 0;
  let total = 0;
  for (const [name, t] of tensors) {
    const bytes = t.data.length * DTYPE_BYTES[dtype];
    if (shards.length === 0 || (size > 0 && size + bytes > limit)) {
      shards.push(new Map());
      size = 0;
    }
    shards[shards.length - 1].set(name, t);
    size += bytes;
    total += bytes;
  }
  mkdirSync(dir, { recursive: true });
  const stale = readdirSync(dir, { withFileTypes: true }).filter((f) => f.isFile() && (SHARD_NAME.test(f.name) || f.name === WEIGHTS_INDEX_FILE));
  files.write(join(dir, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
  if (total <= limit) {
    for (const f of stale) rmSync(join(dir, f.name), { force: true });
    const bytes = writeSafetensors(tensors, { dtype, metadata: meta });
    files.write(join(dir, WEIGHTS_FILE), bytes);
    return bytes;
  }
  rmSync(join(dir, WEIGHTS_FILE), { force: true });
  for (const f of stale) rmSync(join(dir, f.name), { force: true });
  const weightMap: Record<string, string> = {};
  shards.forEach((shard, i) => {
    const file = shardFileName(i + 1, shards.length);
    files.writeWith(join(dir, file), (fd) => writeSafetensorsFile(fd, shard, { dtype, metadata: meta }));
    for (const name of shard.keys()) weightMap[name] = file;
  });
  // Written last: a directory with the index has every shard it names.
  files.write(join(dir, WEIGHTS_INDEX_FILE), `${JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 2)}\n`);
  return undefined;
}

// --- reading -----------------------------------------------------------------------------

export interface ModelDir {
  config: LlamaConfig;
  /** Every tensor of paramShapes(config), in its order, as F32. */
  params: Map<string, Float32Array>;
  /** The on-disk dtype of each parameter. */
  dtypes: Map<string, DiskDType>;
  /** The weight files read (model.safetensors, or the index and its shards), as paths. */
  files: string[];
}

/** config.json of a model directory, validated by parseLlamaConfig; errors name the file. */
export function readModelConfig(dir: string): LlamaConfig {
  const path = join(dir, CONFIG_FILE);
  if (!existsSync(path)) {
    throw new CheckpointError('MISSING_FILE', CONFIG_FILE, `model directory ${dir} has no ${CONFIG_FILE}\nHINT: a model directory holds config.json beside ${WEIGHTS_FILE} (or ${WEIGHTS_INDEX_FILE} and its shards)`, path);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CheckpointError('BAD_CONFIG', CONFIG_FILE, `${path}: not valid JSON (${(e as Error).message})\nHINT: the file is damaged or was not completely written; fetch or save it again`, path);
  }
  try {
    return parseLlamaConfig(raw);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const hint = e.message.includes('HINT:') ? '' : `\nHINT: ${CONFIG_FILE} must describe a model family and fields that ops/model/config.ts supports`;
    throw new ConfigError(`${path}: ${e.message}${hint}`, e.fields);
  }
}

/** A model directory: config.json and its weights (see the file comment for what fails and how). */
export function loadModelDir(dir: string): ModelDir {
  const config = readModelConfig(dir);
  return { config, ...readModelWeights(dir, config) };
}

/** The weights of a model directory for `config` (model.safetensors or the sharded layout). */
export function readModelWeights(dir: string, config: LlamaConfig): Omit<ModelDir, 'config'> {
  const single = join(dir, WEIGHTS_FILE);
  const index = join(dir, WEIGHTS_INDEX_FILE);
  const hasSingle = existsSync(single);
  const hasIndex = existsSync(index);
  if (hasSingle && hasIndex) {
    throw new CheckpointError('BAD_INDEX', WEIGHTS_INDEX_FILE, `${dir} has both ${WEIGHTS_FILE} and ${WEIGHTS_INDEX_FILE}: which holds the weights is ambiguous\nHINT: remove the stale one (a save here writes only one of them)`, index);
  }
  if (!hasSingle && !hasIndex) {
    throw new CheckpointError('MISSING_FILE', WEIGHTS_FILE, `model directory ${dir} has neither ${WEIGHTS_FILE} nor ${WEIGHTS_INDEX_FILE}\nHINT: the weights were not saved or copied there; a Hugging Face model directory has one of them`, single);
  }
  const readers: SafetensorsReader[] = [];
  try {
    if (hasSingle) {
      const r = SafetensorsReader.open(single);
      readers.push(r);
      const located = new Map([...r.tensors].map(([name, info]) => [name, { reader: r, info }]));
      return { ...selectParams(config, located, single), files: [single] };
    }
    const located = locateSharded(dir, index, config, readers);
    return { ...selectParams(config, located, index), files: [index, ...readers.map((r) => r.file!)] };
  } finally {
    for (const r of readers) r.close();
  }
}

/** Parameters from one safetensors buffer (e.g. a policy version from the object store); `label` names it in errors. */
export function paramsFromBytes(config: LlamaConfig, bytes: Uint8Array, label = WEIGHTS_FILE): Map<string, Float32Array> {
  const r = SafetensorsReader.fromBytes(bytes, label);
  const located = new Map([...r.tensors].map(([name, info]) => [name, { reader: r, info }]));
  return selectParams(config, located, label).params;
}

interface Located {
  reader: SafetensorsReader;
  info: TensorInfo;
}

function locateSharded(dir: string, index: string, config: LlamaConfig, readers: SafetensorsReader[]): Map<string, Located> {
  const bad = (message: string, hint = 'the index is damaged or was not written by a Hugging Face-compatible tool; fetch or save it again') =>
    new CheckpointError('BAD_INDEX', WEIGHTS_INDEX_FILE, `${index}: ${message}\nHINT: ${hint}`, index);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(index, 'utf8'));
  } catch (e) {
    throw bad(`not valid JSON (${(e as Error).message})`);
  }
  const weightMap = (raw as { weight_map?: unknown } | null)?.weight_map;
  if (typeof raw !== 'object' || raw === null || typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw bad('has no "weight_map" object ({tensor name: shard file})');
  }
  const expected = paramShapes(config);
  const byShard = new Map<string, string[]>();
  for (const [name, file] of Object.entries(weightMap as Record<string, unknown>)) {
    if (typeof file !== 'string' || file === '' || basename(file) !== file || file === '.' || file === '..') {
      throw bad(`weight_map[${JSON.stringify(name)}] = ${JSON.stringify(file)} is not a file name in this directory`);
    }
    byShard.set(file, [...(byShard.get(file) ?? []), name]);
  }
  // Every shard the index lists must be there, even one holding only ignored tensors.
  for (const [file, names] of byShard) {
    const path = join(dir, file);
    if (existsSync(path)) continue;
    const needed = names.find((n) => expected.has(n));
    const example = needed ? `tensor ${needed} (expected shape ${fmt(expected.get(needed)!)})` : `tensor ${names[0]}`;
    throw new CheckpointError(
      'MISSING_FILE',
      needed ?? names[0],
      `shard ${path} is missing: ${index} maps ${names.length} tensor${names.length === 1 ? '' : 's'} to it, e.g. ${example}\nHINT: the download or copy is incomplete; fetch ${file} again`,
      path,
    );
  }
  const located = new Map<string, Located>();
  for (const [file, names] of byShard) {
    const r = SafetensorsReader.open(join(dir, file));
    readers.push(r);
    for (const name of names) {
      const info = r.tensors.get(name);
      if (!info) {
        const want = expected.has(name) ? ` (expected shape ${fmt(expected.get(name)!)})` : '';
        throw new CheckpointError('MISSING_TENSOR', name, `${r.file}: tensor ${name} is missing although ${index} maps it to this shard${want}\nHINT: the shard and the index do not belong together; fetch both again`, r.file);
      }
      located.set(name, { reader: r, info });
    }
    for (const name of r.tensors.keys()) {
      if (located.get(name)?.reader === r || isIgnoredTensor(name)) continue;
      const where = typeof (weightMap as Record<string, unknown>)[name] === 'string' ? `maps it to ${(weightMap as Record<string, string>)[name]}` : 'does not list it';
      throw new CheckpointError('UNEXPECTED_TENSOR', name, `${r.file}: tensor ${name} is in this shard but ${index} ${where}\nHINT: the shard and the index do not belong together; fetch both again`, r.file);
    }
  }
  return located;
}

/**
 * Checks the located tensors against paramShapes(config) (missing, shape, dtype, extras,
 * tied head) before reading any data, then reads each parameter into its own Float32Array.
 * `where` names the file that lists the tensors (model.safetensors or the index).
 */
function selectParams(config: LlamaConfig, located: ReadonlyMap<string, Located>, where: string): { params: Map<string, Float32Array>; dtypes: Map<string, DiskDType> } {
  const expected = paramShapes(config);
  for (const [name, shape] of expected) {
    const loc = located.get(name);
    if (!loc) {
      const hint =
        name === 'lm_head.weight'
          ? `config.json has tie_word_embeddings: false; if this model shares its output layer with model.embed_tokens.weight, set it to true`
          : `these weights do not match config.json (model_type, num_hidden_layers, tie_word_embeddings?) or the directory is incomplete`;
      throw new CheckpointError('MISSING_TENSOR', name, `${where}: tensor ${name} is missing (expected shape ${fmt(shape)})\nHINT: ${hint}`, where);
    }
    checkTensor(loc, name, shape);
  }
  let tiedHead: Located | null = null;
  for (const [name, loc] of located) {
    if (expected.has(name) || isIgnoredTensor(name)) continue;
    if (name === 'lm_head.weight' && config.tie_word_embeddings) {
      checkTensor(loc, name, expected.get('model.embed_tokens.weight')!);
      tiedHead = loc;
      continue;
    }
    const file = loc.reader.file ?? where;
    throw new CheckpointError(
      'UNEXPECTED_TENSOR',
      name,
      `${file}: unexpected tensor ${name} ${fmt(loc.info.shape)} ${loc.info.dtype}: this config has no such parameter\nHINT: config.json may not describe these weights (model_type, num_hidden_layers, tie_word_embeddings?); tensors ignored by name: ${IGNORED_TENSORS.map((t) => t.pattern.source).join(', ')}`,
      file,
    );
  }
  const params = new Map<string, Float32Array>();
  const dtypes = new Map<string, DiskDType>();
  for (const name of expected.keys()) {
    const { reader, info } = located.get(name)!;
    params.set(name, reader.read(name));
    dtypes.set(name, info.dtype as DiskDType);
  }
  if (tiedHead) {
    // Tied: the head must be the embedding, bit for bit, else the config misdescribes the model.
    const emb = params.get('model.embed_tokens.weight')!;
    const embBits = new Uint32Array(emb.buffer, emb.byteOffset, emb.length);
    let differs = -1;
    let headValue = 0;
    tiedHead.reader.forEachChunk('lm_head.weight', (values, start) => {
      if (differs >= 0) return;
      const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
      for (let i = 0; i < bits.length; i++) {
        if (bits[i] !== embBits[start + i]) {
          differs = start + i;
          headValue = values[i];
          return;
        }
      }
    });
    if (differs >= 0) {
      const file = tiedHead.reader.file ?? where;
      throw new CheckpointError(
        'TIED_MISMATCH',
        'lm_head.weight',
        `${file}: tensor lm_head.weight (shape ${fmt(tiedHead.info.shape)}) differs from model.embed_tokens.weight (first at flat index ${differs}: ${headValue} vs ${emb[differs]}), but config.json has tie_word_embeddings: true\nHINT: set tie_word_embeddings to false if this model trains its output layer separately`,
        file,
      );
    }
  }
  return { params, dtypes };
}

function checkTensor(loc: Located, name: string, shape: readonly number[]): void {
  const file = loc.reader.file ?? '(buffer)';
  const got = loc.info.shape;
  if (got.length !== shape.length || got.some((d, i) => d !== shape[i])) {
    throw new CheckpointError(
      'BAD_SHAPE',
      name,
      `${file}: tensor ${name} has shape ${fmt(got)}, expected ${fmt(shape)} for this config\nHINT: config.json does not describe these weights (hidden_size, intermediate_size, num_attention_heads, num_key_value_heads, head_dim, vocab_size?)`,
      file,
    );
  }
  if (!isDiskDType(loc.info.dtype)) {
    throw new CheckpointError(
      'BAD_DTYPE',
      name,
      `${file}: tensor ${name} has dtype ${loc.info.dtype}; expected F32, F16 or BF16 (shape ${fmt(shape)})\nHINT: convert the checkpoint to one of those dtypes (e.g. save it in bfloat16)`,
      file,
    );
  }
}
