// The policy's architecture: a Hugging Face config.json subset for the Llama-style decoder
// families `llama`, `qwen2` and `qwen3` (same field names, so a config.json written here is
// read by other tools and vice versa), the parameter table (HF names, PyTorch Linear layout
// [out, in], row-major fp32) and a seeded initialiser.
// Not the forward pass (ops/model/transformer.ts) and not a loader (ops/model/model-dir.ts).
//
// The families differ only in attention (the rest is one block, transformer.ts):
//   llama  q/k/v/o projections, biases on all four when attention_bias is true (default false)
//   qwen2  always a bias on q/k/v (model.layers.N.self_attn.{q,k,v}_proj.bias), none on o
//   qwen3  RMSNorm over head_dim on queries and keys after the projection, before RoPE
//          (self_attn.q_norm.weight, self_attn.k_norm.weight, shape [head_dim]); biases as
//          llama (attention_bias); head_dim is its own field, not hidden_size / heads
// Any family may set head_dim; RoPE may be scaled (rope_scaling: linear or llama3).
//
// What parseLlamaConfig does with each key of a real config.json:
//   used      the fields of LlamaConfig below
//   ignored   IGNORED_FIELDS (bookkeeping that does not change the math; checked, then dropped)
//   rejected  everything else, with the field, its value and a HINT; also unsupported values
//             of known fields (hidden_act other than silu, mlp_bias true, attention_dropout
//             != 0, sliding windows that would bite, yarn/dynamic/longrope RoPE scaling)
import { z } from 'zod';
import type { Rng } from '../rng.ts';

const posInt = z.number().int().positive();
const tokenId = z.number().int().nonnegative();

/** The model families (HF model_type values) this engine implements. */
export const MODEL_TYPES = ['llama', 'qwen2', 'qwen3'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

/**
 * RoPE scaling as HF configs write it (`type` is the older spelling of `rope_type`; both are
 * read, rope_type is written). Inverse frequencies are those of transformers'
 * modeling_rope_utils for each type (see ropeInvFreq in layers.ts):
 *   linear  inv_freq / factor
 *   llama3  (Llama 3.1+) low frequencies / factor, high ones kept, a smooth blend between
 */
export const RopeScaling = z.discriminatedUnion('rope_type', [
  z.strictObject({
    rope_type: z.literal('linear'),
    /** Positions are divided by this (>= 1). */
    factor: z.number().min(1),
  }),
  z.strictObject({
    rope_type: z.literal('llama3'),
    factor: z.number().min(1),
    low_freq_factor: z.number().positive(),
    high_freq_factor: z.number().positive(),
    original_max_position_embeddings: posInt,
  }),
]);
export type RopeScaling = z.infer<typeof RopeScaling>;

/**
 * Defaults describe the embedded tiny policy (d_model 256, 4 layers, byte-level vocab of
 * ops/model/tokenizer.ts); every field can be overridden. Unknown keys are errors. Parse
 * configs with parseLlamaConfig, which also reads (and drops) HF bookkeeping keys.
 */
export const LlamaConfig = z
  .strictObject({
    /** Model family: llama (default), qwen2 or qwen3 (see the file comment). */
    model_type: z.enum(MODEL_TYPES).default('llama'),
    /** MLP activation; SwiGLU uses SiLU, the only one supported. */
    hidden_act: z.literal('silu').default('silu'),
    /** Number of token ids V (default 272 = tokenizer.ts VOCAB_SIZE). */
    vocab_size: posInt.default(272),
    /** Model width D (default 256). */
    hidden_size: posInt.default(256),
    /** SwiGLU inner width I (default 768 = 3 D). */
    intermediate_size: posInt.default(768),
    /** Number of transformer blocks L (default 4). */
    num_hidden_layers: posInt.default(4),
    /** Query heads H (default 4). */
    num_attention_heads: posInt.default(4),
    /** Key/value heads KVH (grouped-query attention when < H). Absent: num_attention_heads, as in HF. */
    num_key_value_heads: posInt.default(4),
    /** Per-head width hd; absent: hidden_size / num_attention_heads (required for qwen3, whose HF default is 128). */
    head_dim: posInt.optional(),
    /** Longest sequence (prompt + response, tokens) the RoPE tables cover (default 1024). */
    max_position_embeddings: posInt.default(1024),
    /** Epsilon inside RMSNorm's rsqrt (default 1e-5). */
    rms_norm_eps: z.number().positive().default(1e-5),
    /** RoPE base frequency (default 10000). */
    rope_theta: z.number().positive().default(10000),
    /** RoPE scaling (absent or null in the config: none). */
    rope_scaling: RopeScaling.optional(),
    /** llama, qwen3: biases on q/k/v/o_proj (absent: false). qwen2 has q/k/v biases always and takes no such key. */
    attention_bias: z.boolean().optional(),
    /** Share lm_head with embed_tokens (default true: lm_head.weight is then absent). */
    tie_word_embeddings: z.boolean().default(true),
    /** Beginning-of-sequence id (default 1 = <bos>; null in a config: the default). */
    bos_token_id: tokenId.default(1),
    /** End-of-sequence id, or several (HF allows a list); sampling stops on any (default 2 = <eos>). */
    eos_token_id: z.union([tokenId, z.array(tokenId).min(1)]).default(2),
    /** Padding id (default 0 = <pad>; null in a config: the default). Fills padded slots only. */
    pad_token_id: tokenId.default(0),
  })
  .superRefine((c, ctx) => {
    const issue = (path: string, message: string, input: unknown, hint: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message, input, params: { hint } });
    if (c.head_dim === undefined && c.hidden_size % c.num_attention_heads !== 0) {
      issue(
        'num_attention_heads',
        `hidden_size ${c.hidden_size} is not divisible by num_attention_heads ${c.num_attention_heads}`,
        c.num_attention_heads,
        'pick heads that divide hidden_size, or give head_dim explicitly (as Qwen3 configs do)',
      );
      return;
    }
    const hd = c.head_dim ?? c.hidden_size / c.num_attention_heads;
    if (hd % 2 !== 0) {
      issue(c.head_dim === undefined ? 'num_attention_heads' : 'head_dim', `head_dim ${hd} must be even for RoPE`, hd, 'RoPE rotates pairs of head dimensions; use an even head_dim');
    }
    if (c.num_attention_heads % c.num_key_value_heads !== 0) {
      issue(
        'num_key_value_heads',
        `num_attention_heads ${c.num_attention_heads} is not divisible by num_key_value_heads ${c.num_key_value_heads}`,
        c.num_key_value_heads,
        'grouped-query attention shares each key/value head among num_attention_heads / num_key_value_heads query heads',
      );
    }
    for (const k of ['bos_token_id', 'pad_token_id'] as const) {
      if (c[k] >= c.vocab_size) issue(k, `${k} ${c[k]} >= vocab_size ${c.vocab_size}`, c[k], 'token ids index the vocabulary; check vocab_size');
    }
    for (const id of eosTokenIds(c)) {
      if (id >= c.vocab_size) issue('eos_token_id', `eos_token_id ${id} >= vocab_size ${c.vocab_size}`, c.eos_token_id, 'token ids index the vocabulary; check vocab_size');
    }
    const rs = c.rope_scaling;
    if (rs?.rope_type === 'llama3' && rs.high_freq_factor <= rs.low_freq_factor) {
      issue('rope_scaling', `high_freq_factor ${rs.high_freq_factor} must exceed low_freq_factor ${rs.low_freq_factor}`, rs, 'Llama 3.1 configs use low_freq_factor 1, high_freq_factor 4');
    }
    if (c.attention_bias !== undefined && c.model_type === 'qwen2') {
      issue('attention_bias', 'qwen2 has no attention_bias field', c.attention_bias, 'Qwen2 always has biases on q/k/v_proj and none on o_proj; remove attention_bias');
    }
  });
export type LlamaConfig = z.infer<typeof LlamaConfig>;
/** The same config under a family-neutral name. */
export type ModelConfig = LlamaConfig;
export const ModelConfig = LlamaConfig;

/** The ids that end a sequence (eos_token_id as a list). */
export function eosTokenIds(c: Pick<LlamaConfig, 'eos_token_id'>): number[] {
  return typeof c.eos_token_id === 'number' ? [c.eos_token_id] : [...c.eos_token_id];
}

export class ConfigError extends Error {
  readonly code = 'BAD_CONFIG' as const;
  /** The offending field paths, e.g. ['num_key_value_heads']. */
  readonly fields: string[];
  constructor(message: string, fields: string[]) {
    super(message);
    this.name = 'ConfigError';
    this.fields = fields;
  }
}

interface Issue {
  field: string;
  message: string;
  /** The offending value, shown in the message (omitted when undefined). */
  value?: unknown;
  hint: string;
}

const isString = (v: unknown) => typeof v === 'string';
const isBool = (v: unknown) => typeof v === 'boolean';
const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

/**
 * Keys of HF config.json files that do not change the model's math: accepted (their type is
 * checked; some only with one value) and dropped from the parsed config. `only` restricts the
 * families; `check` returns a problem with the value, if any.
 */
export const IGNORED_FIELDS: Readonly<Record<string, { why: string; check: (v: unknown) => string | null; only?: readonly ModelType[] }>> = {
  _name_or_path: { why: 'where transformers loaded the config from', check: (v) => (isString(v) ? null : 'must be a string') },
  architectures: {
    why: 'the transformers class name; model_type picks the family here',
    check: (v) => (Array.isArray(v) && v.every(isString) ? null : 'must be a list of strings'),
  },
  torch_dtype: { why: 'storage dtype of the published weights; weights are loaded into and trained in float32', check: (v) => (isString(v) ? null : 'must be a string') },
  dtype: { why: 'newer spelling of torch_dtype', check: (v) => (isString(v) ? null : 'must be a string') },
  transformers_version: { why: 'the transformers version that wrote the file', check: (v) => (isString(v) ? null : 'must be a string') },
  initializer_range: { why: "HF's init std; initParams has its own (INIT_STD)", check: (v) => (isNumber(v) && (v as number) >= 0 ? null : 'must be a number >= 0') },
  use_cache: { why: 'the generator always keeps a KV cache', check: (v) => (isBool(v) ? null : 'must be a boolean') },
  pretraining_tp: {
    why: 'tensor-parallel slicing of the same matmuls in transformers; the math is unchanged',
    check: (v) => (Number.isInteger(v) && (v as number) > 0 ? null : 'must be a positive integer'),
  },
  attention_dropout: {
    why: 'attention dropout probability; only 0 (no dropout) is implemented, in training and sampling',
    check: (v) => (v === 0 ? null : 'attention dropout is not implemented (only 0)'),
  },
  mlp_bias: { why: 'biases on the MLP projections; only false is implemented', check: (v) => (v === false ? null : 'MLP biases are not implemented (only false)') },
  use_sliding_window: { why: 'Qwen sliding-window attention switch; accepted when no layer would use a window', check: (v) => (isBool(v) ? null : 'must be a boolean'), only: ['qwen2', 'qwen3'] },
  sliding_window: {
    why: 'the window size, unused while use_sliding_window is false',
    check: (v) => (v === null || (Number.isInteger(v) && (v as number) > 0) ? null : 'must be a positive integer or null'),
    only: ['qwen2', 'qwen3'],
  },
  max_window_layers: {
    why: 'which layers would use the window, unused while use_sliding_window is false',
    check: (v) => (Number.isInteger(v) && (v as number) >= 0 ? null : 'must be an integer >= 0'),
    only: ['qwen2', 'qwen3'],
  },
  layer_types: {
    why: "newer transformers' per-layer attention kinds; accepted when every layer is full_attention",
    check: (v) => (Array.isArray(v) && v.every((t) => t === 'full_attention') ? null : "only 'full_attention' layers are implemented"),
    only: ['qwen2', 'qwen3'],
  },
};

/** Keys of other families' or other features' configs, rejected with a specific HINT. */
const UNSUPPORTED_FIELDS: Readonly<Record<string, string>> = {
  quantization_config: 'quantized checkpoints (GPTQ, AWQ, bitsandbytes, fp8) are not supported; use the bf16/fp16/fp32 weights',
  partial_rotary_factor: 'RoPE over part of head_dim is not implemented; only full-head rotary (Llama, Qwen) is',
  num_experts: 'mixture-of-experts models are not supported (llama, qwen2, qwen3 dense only)',
  num_local_experts: 'mixture-of-experts models are not supported (llama, qwen2, qwen3 dense only)',
  num_experts_per_tok: 'mixture-of-experts models are not supported (llama, qwen2, qwen3 dense only)',
  moe_intermediate_size: 'mixture-of-experts models are not supported (llama, qwen2, qwen3 dense only)',
  auto_map: 'custom modeling code (trust_remote_code) is not supported; use a llama, qwen2 or qwen3 config',
  text_config: 'multimodal configs are not supported; use the text model config (a causal LM)',
  vision_config: 'multimodal configs are not supported; use the text model config (a causal LM)',
};

/** The fields a qwen2/qwen3 config must name: the engine's defaults describe the embedded tiny llama, not Qwen. */
const QWEN_REQUIRED = [
  'vocab_size',
  'hidden_size',
  'intermediate_size',
  'num_hidden_layers',
  'num_attention_heads',
  'max_position_embeddings',
  'rms_norm_eps',
  'rope_theta',
  'tie_word_embeddings',
] as const;

/** A hint per field for type errors. */
const FIELD_HINTS: Readonly<Record<string, string>> = {
  model_type: `supported families: ${MODEL_TYPES.join(', ')}`,
  hidden_act: 'only silu (SwiGLU) is implemented, as every llama/qwen2/qwen3 checkpoint uses',
  rope_theta: 'the RoPE base, a positive number (10000 Llama 2, 500000 Llama 3, 1000000 Qwen)',
  rope_scaling: 'null, {"rope_type": "linear", "factor": F} or {"rope_type": "llama3", "factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"}',
  eos_token_id: 'a token id or a non-empty list of token ids',
  head_dim: 'a positive even integer, the width of one attention head',
  attention_bias: 'true or false',
  tie_word_embeddings: 'true when lm_head shares model.embed_tokens.weight (no lm_head.weight tensor)',
};

const show = (v: unknown) => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 120 ? `${s.slice(0, 117)}...` : s;
};

/**
 * HF spellings to this schema, and the checks that need the raw object (which keys are
 * present, the ignored ones): returns the object for the zod schema and the problems found.
 */
function normalize(raw: unknown): { obj: unknown; issues: Issue[] } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { obj: raw, issues: [] };
  const src = raw as Record<string, unknown>;
  const obj: Record<string, unknown> = { ...src };
  const issues: Issue[] = [];
  const family: ModelType = MODEL_TYPES.includes(src.model_type as ModelType) ? (src.model_type as ModelType) : 'llama';
  if ('model_type' in src && !MODEL_TYPES.includes(src.model_type as ModelType)) {
    issues.push({ field: 'model_type', message: 'unsupported model family', value: src.model_type, hint: `supported model_type values: ${MODEL_TYPES.join(', ')} (Llama-style decoders: SwiGLU, RMSNorm, RoPE, GQA)` });
    delete obj.model_type;
  }
  // transformers v5 keeps rope_theta and rope_scaling together in rope_parameters.
  if ('rope_parameters' in src) {
    const rp = src.rope_parameters;
    delete obj.rope_parameters;
    if (typeof rp !== 'object' || rp === null || Array.isArray(rp) || 'rope_theta' in src || 'rope_scaling' in src) {
      issues.push({ field: 'rope_parameters', message: 'expected an object, and no rope_theta or rope_scaling beside it', value: rp, hint: 'give either rope_parameters {rope_theta, rope_type, ...} or rope_theta and rope_scaling' });
    } else {
      const { rope_theta, ...rest } = rp as Record<string, unknown>;
      if (rope_theta !== undefined) obj.rope_theta = rope_theta;
      obj.rope_scaling = rest;
    }
  }
  for (const k of ['bos_token_id', 'pad_token_id', 'head_dim', 'attention_bias'] as const) if (obj[k] === null) delete obj[k];
  if (!('num_key_value_heads' in obj) && 'num_attention_heads' in obj) obj.num_key_value_heads = obj.num_attention_heads;
  normalizeRopeScaling(obj, issues);
  for (const [key, spec] of Object.entries(IGNORED_FIELDS)) {
    if (!(key in src)) continue;
    delete obj[key];
    if (spec.only && !spec.only.includes(family)) {
      issues.push({ field: key, message: `not a ${family} field`, value: src[key], hint: `${key} belongs to ${spec.only.join('/')} configs; remove it or fix model_type` });
      continue;
    }
    const bad = spec.check(src[key]);
    if (bad) issues.push({ field: key, message: bad, value: src[key], hint: `${key}: ${spec.why}` });
  }
  if (src.use_sliding_window === true) {
    const w = src.sliding_window;
    const maxPos = typeof src.max_position_embeddings === 'number' ? src.max_position_embeddings : 1024;
    if (typeof w === 'number' && w < maxPos) {
      issues.push({
        field: 'use_sliding_window',
        message: `sliding-window attention (sliding_window ${w} < max_position_embeddings ${maxPos}) is not implemented`,
        value: true,
        hint: 'set use_sliding_window to false (the published Qwen2.5/Qwen3 checkpoints ship it false), or keep sequences within the window and set sliding_window >= max_position_embeddings',
      });
    }
  }
  for (const [key, hint] of Object.entries(UNSUPPORTED_FIELDS)) {
    if (key in src) {
      issues.push({ field: key, message: 'unsupported feature', value: src[key], hint });
      delete obj[key];
    }
  }
  if (family !== 'llama') {
    const missing: string[] = QWEN_REQUIRED.filter((k) => !(k in obj));
    if (family === 'qwen3' && !('head_dim' in obj)) missing.push('head_dim');
    for (const k of missing) {
      issues.push({
        field: k,
        message: `a ${family} config must name ${k}`,
        hint:
          k === 'head_dim'
            ? 'Qwen3 configs carry head_dim (transformers assumes 128 when it is absent); copy it from the checkpoint'
            : `this engine's defaults describe its tiny embedded llama; copy ${k} from the checkpoint's config.json`,
      });
    }
  }
  return { obj, issues };
}

function normalizeRopeScaling(obj: Record<string, unknown>, issues: Issue[]): void {
  if (!('rope_scaling' in obj)) return;
  const rs = obj.rope_scaling;
  if (rs === null) {
    delete obj.rope_scaling;
    return;
  }
  if (typeof rs !== 'object' || Array.isArray(rs)) return; // the schema names the type error
  const r: Record<string, unknown> = { ...(rs as Record<string, unknown>) };
  if ('type' in r) {
    if ('rope_type' in r && r.rope_type !== r.type) {
      issues.push({ field: 'rope_scaling.type', message: `type ${show(r.type)} disagrees with rope_type ${show(r.rope_type)}`, value: rs, hint: 'give one of type / rope_type (rope_type is the current spelling)' });
      delete obj.rope_scaling;
      return;
    }
    r.rope_type = r.type;
    delete r.type;
  }
  const t = r.rope_type;
  if (t === 'default' || t === undefined) {
    const extra = Object.keys(r).filter((k) => k !== 'rope_type');
    if (t === undefined || extra.length > 0) {
      issues.push({ field: 'rope_scaling.rope_type', message: t === undefined ? 'missing' : `default RoPE takes no ${extra.join(', ')}`, value: rs, hint: FIELD_HINTS.rope_scaling });
    }
    delete obj.rope_scaling;
    return;
  }
  const unsupported: Record<string, string> = {
    yarn:
      "YaRN's frequency blend and attention factor differ between transformers versions (original_max_position_embeddings, truncate, mscale), so this engine does not guess them. Remove rope_scaling: Qwen enables YaRN only for contexts beyond original_max_position_embeddings (32768), and without it the model is the one Qwen trained",
    dynamic: 'dynamic NTK scaling recomputes the frequencies from the sequence length at run time and is not implemented; remove rope_scaling, or use linear',
    longrope: 'LongRoPE (Phi-3) is not implemented; use a llama, qwen2 or qwen3 checkpoint',
    su: 'LongRoPE (Phi-3) is not implemented; use a llama, qwen2 or qwen3 checkpoint',
    mrope: 'multimodal RoPE (Qwen2-VL) is not implemented; use a text-only checkpoint',
  };
  if (typeof t === 'string' && t in unsupported) {
    issues.push({ field: 'rope_scaling.rope_type', message: `RoPE scaling '${t}' is not supported`, value: rs, hint: unsupported[t] });
    delete obj.rope_scaling;
    return;
  }
  obj.rope_scaling = r;
}

/** Validate a config (e.g. a parsed config.json); throws ConfigError naming every bad field, its value and a HINT. */
export function parseLlamaConfig(raw: unknown): LlamaConfig {
  const { obj, issues } = normalize(raw);
  const r = LlamaConfig.safeParse(obj, { reportInput: true });
  if (r.success && issues.length === 0) return r.data;
  if (!r.success) {
    const known = [...Object.keys(LlamaConfig.shape)];
    for (const i of r.error.issues) {
      // Unrecognized keys carry the key names in `keys`, not in `path`.
      const keys = 'keys' in i && Array.isArray(i.keys) ? (i.keys as string[]) : [];
      const where = i.path.map(String);
      if (keys.length > 0) {
        for (const k of keys) {
          const at = [...where, k].join('.');
          const parent = where.length === 0 ? (raw as Record<string, unknown>) : (obj as Record<string, unknown>)[where[0]];
          const hint =
            where.length === 0
              ? `known fields: ${known.join(', ')}; accepted and ignored: ${Object.keys(IGNORED_FIELDS).join(', ')}`
              : (FIELD_HINTS[where[0]] ?? 'remove it');
          issues.push({ field: at, message: 'unknown field', value: (parent as Record<string, unknown>)?.[k], hint });
        }
        continue;
      }
      const field = where.join('.') || '(root)';
      const params = (i as { params?: { hint?: string } }).params;
      const hint = params?.hint ?? FIELD_HINTS[where[0]] ?? 'see the field documentation in ops/model/config.ts';
      issues.push({ field, message: i.message, value: (i as { input?: unknown }).input, hint });
    }
  }
  const fields = issues.map((i) => i.field);
  const lines = issues.map((i) => `${i.field}: ${i.message}${i.value === undefined ? '' : ` (got ${show(i.value)})`}`);
  const hints = issues.map((i) => `HINT (${i.field}): ${i.hint}`);
  return fail(`invalid LlamaConfig: ${lines.join('; ')}\n${hints.join('\n')}`, fields);
}

/** parseLlamaConfig under a family-neutral name. */
export const parseModelConfig = parseLlamaConfig;

function fail(message: string, fields: string[]): never {
  throw new ConfigError(message, fields);
}

/** The config's dimensions under the letters of the shape comments, derived in one place. */
export interface ModelDims {
  /** Model width (hidden_size). */
  D: number;
  /** Query heads. */
  H: number;
  /** Key/value heads. */
  KVH: number;
  /** Query heads per key/value head: H / KVH. */
  rep: number;
  /** Per-head width: head_dim, else D / H. */
  hd: number;
  /** SwiGLU inner width. */
  I: number;
  /** Vocabulary size. */
  V: number;
  /** Transformer blocks. */
  L: number;
  /** RMSNorm epsilon. */
  eps: number;
  /** RoPE base frequency. */
  theta: number;
  /** RoPE scaling, or null. */
  ropeScaling: RopeScaling | null;
  /** Biases on q/k/v_proj. */
  qkvBias: boolean;
  /** Bias on o_proj. */
  oBias: boolean;
  /** RMSNorm over head_dim on queries and keys before RoPE (qwen3). */
  qkNorm: boolean;
}

export function modelDims(c: LlamaConfig): ModelDims {
  const attnBias = c.attention_bias ?? false;
  return {
    D: c.hidden_size,
    H: c.num_attention_heads,
    KVH: c.num_key_value_heads,
    rep: c.num_attention_heads / c.num_key_value_heads,
    hd: c.head_dim ?? c.hidden_size / c.num_attention_heads,
    I: c.intermediate_size,
    V: c.vocab_size,
    L: c.num_hidden_layers,
    eps: c.rms_norm_eps,
    theta: c.rope_theta,
    ropeScaling: c.rope_scaling ?? null,
    qkvBias: c.model_type === 'qwen2' || attnBias,
    oBias: c.model_type !== 'qwen2' && attnBias,
    qkNorm: c.model_type === 'qwen3',
  };
}

/**
 * Every parameter's shape, in a fixed order (embeddings, blocks 0..L-1, final norm, head).
 * Linear weights are [out_features, in_features] as in PyTorch: y = x W^T. A block's
 * biases follow their weights, and q_norm/k_norm follow o_proj (qwen3).
 */
export function paramShapes(c: LlamaConfig): Map<string, number[]> {
  const { V, D, I, H, KVH, hd, qkvBias, oBias, qkNorm } = modelDims(c);
  const Hq = H * hd;
  const Hkv = KVH * hd;
  const m = new Map<string, number[]>();
  m.set('model.embed_tokens.weight', [V, D]);
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const p = `model.layers.${i}`;
    m.set(`${p}.input_layernorm.weight`, [D]);
    m.set(`${p}.self_attn.q_proj.weight`, [Hq, D]);
    if (qkvBias) m.set(`${p}.self_attn.q_proj.bias`, [Hq]);
    m.set(`${p}.self_attn.k_proj.weight`, [Hkv, D]);
    if (qkvBias) m.set(`${p}.self_attn.k_proj.bias`, [Hkv]);
    m.set(`${p}.self_attn.v_proj.weight`, [Hkv, D]);
    if (qkvBias) m.set(`${p}.self_attn.v_proj.bias`, [Hkv]);
    m.set(`${p}.self_attn.o_proj.weight`, [D, Hq]);
    if (oBias) m.set(`${p}.self_attn.o_proj.bias`, [D]);
    if (qkNorm) {
      m.set(`${p}.self_attn.q_norm.weight`, [hd]);
      m.set(`${p}.self_attn.k_norm.weight`, [hd]);
    }
    m.set(`${p}.post_attention_layernorm.weight`, [D]);
    m.set(`${p}.mlp.gate_proj.weight`, [I, D]);
    m.set(`${p}.mlp.up_proj.weight`, [I, D]);
    m.set(`${p}.mlp.down_proj.weight`, [D, I]);
  }
  m.set('model.norm.weight', [D]);
  if (!c.tie_word_embeddings) m.set('lm_head.weight', [V, D]);
  return m;
}

/** Total number of scalar parameters. */
export function paramCount(c: LlamaConfig): number {
  let n = 0;
  for (const s of paramShapes(c).values()) n += numel(s);
  return n;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Init std for embeddings and input projections (GPT-2 / HF initializer_range). */
export const INIT_STD = 0.02;

/**
 * Seeded initialisation: RMSNorm gains (q_norm, k_norm included) 1, biases 0; every matrix
 * N(0, 0.02^2), except the two projections that write into the residual stream (o_proj,
 * down_proj), which get 0.02 / sqrt(2 L) so that the residual's variance does not grow with
 * depth (GPT-2). Draws happen in paramShapes order (gains and biases draw nothing), so a
 * seed fixes every value.
 */
export function initParams(c: LlamaConfig, rng: Rng): Map<string, Float32Array> {
  const residualStd = INIT_STD / Math.sqrt(2 * c.num_hidden_layers);
  const out = new Map<string, Float32Array>();
  for (const [name, shape] of paramShapes(c)) {
    const a = new Float32Array(numel(shape));
    if (name.endsWith('layernorm.weight') || name.endsWith('_norm.weight') || name === 'model.norm.weight') {
      a.fill(1);
    } else if (name.endsWith('.bias')) {
      // zeros
    } else {
      const std = name.endsWith('o_proj.weight') || name.endsWith('down_proj.weight') ? residualStd : INIT_STD;
      for (let i = 0; i < a.length; i++) a[i] = std * rng.normal();
    }
    out.set(name, a);
  }
  return out;
}

/** Check a parameter map against the config: every name present, no extras, right sizes. */
export function checkParams(c: LlamaConfig, params: ReadonlyMap<string, Float32Array>): void {
  const shapes = paramShapes(c);
  for (const [name, shape] of shapes) {
    const a = params.get(name);
    if (!a) fail(`parameter ${name} missing (expected shape [${shape.join(', ')}])`, [name]);
    if (a.length !== numel(shape)) {
      fail(`parameter ${name} has ${a.length} values, expected [${shape.join(', ')}] = ${numel(shape)}`, [name]);
    }
  }
  for (const name of params.keys()) {
    if (!shapes.has(name)) fail(`unexpected parameter ${name} for this config`, [name]);
  }
}
