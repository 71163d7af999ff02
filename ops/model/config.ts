// The policy's architecture: a Hugging Face LlamaConfig subset (same field names, so a
// config.json written here is read by other tools and vice versa), the parameter table
// (HF names, PyTorch Linear layout [out, in], row-major fp32) and a seeded initialiser.
// Not the forward pass (ops/model/transformer.ts) and not a loader (ops/model/checkpoint.ts).
import { z } from 'zod';
import type { Rng } from '../rng.ts';

const posInt = z.number().int().positive();
const tokenId = z.number().int().nonnegative();

/**
 * Defaults describe the embedded tiny policy (d_model 256, 4 layers, byte-level vocab of
 * ops/model/tokenizer.ts); every field can be overridden. Unknown keys are errors.
 */
export const LlamaConfig = z
  .strictObject({
    /** HF bookkeeping; always "llama". */
    model_type: z.literal('llama').default('llama'),
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
    /** Query heads H; head_dim = D / H (default 4, head_dim 64). */
    num_attention_heads: posInt.default(4),
    /** Key/value heads KVH (grouped-query attention when < H; default 4). */
    num_key_value_heads: posInt.default(4),
    /** Longest sequence (prompt + response, tokens) the RoPE tables cover (default 1024). */
    max_position_embeddings: posInt.default(1024),
    /** Epsilon inside RMSNorm's rsqrt (default 1e-5). */
    rms_norm_eps: z.number().positive().default(1e-5),
    /** RoPE base frequency (default 10000). */
    rope_theta: z.number().positive().default(10000),
    /** Share lm_head with embed_tokens (default true: lm_head.weight is then absent). */
    tie_word_embeddings: z.boolean().default(true),
    /** Beginning-of-sequence id (default 1 = <bos>). */
    bos_token_id: tokenId.default(1),
    /** End-of-sequence id; sampling stops on it (default 2 = <eos>). */
    eos_token_id: tokenId.default(2),
    /** Padding id (default 0 = <pad>). */
    pad_token_id: tokenId.default(0),
  })
  .superRefine((c, ctx) => {
    if (c.hidden_size % c.num_attention_heads !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['num_attention_heads'],
        message: `hidden_size ${c.hidden_size} is not divisible by num_attention_heads ${c.num_attention_heads}`,
      });
      return;
    }
    if ((c.hidden_size / c.num_attention_heads) % 2 !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['num_attention_heads'],
        message: `head_dim ${c.hidden_size / c.num_attention_heads} must be even for RoPE`,
      });
    }
    if (c.num_attention_heads % c.num_key_value_heads !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['num_key_value_heads'],
        message: `num_attention_heads ${c.num_attention_heads} is not divisible by num_key_value_heads ${c.num_key_value_heads}`,
      });
    }
    for (const k of ['bos_token_id', 'eos_token_id', 'pad_token_id'] as const) {
      if (c[k] >= c.vocab_size) {
        ctx.addIssue({ code: 'custom', path: [k], message: `${k} ${c[k]} >= vocab_size ${c.vocab_size}` });
      }
    }
  });
export type LlamaConfig = z.infer<typeof LlamaConfig>;

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

/** Validate a config (e.g. a parsed config.json); throws ConfigError naming every bad field. */
export function parseLlamaConfig(raw: unknown): LlamaConfig {
  const r = LlamaConfig.safeParse(raw);
  if (r.success) return r.data;
  const fields: string[] = [];
  const lines = r.error.issues.map((i) => {
    // Unrecognized keys carry the key names in `keys`, not in `path`.
    const keys = 'keys' in i && Array.isArray(i.keys) ? (i.keys as string[]) : [];
    const names = keys.length > 0 ? keys : [i.path.join('.') || '(root)'];
    fields.push(...names);
    return `${names.join(', ')}: ${i.message}`;
  });
  return fail(`invalid LlamaConfig: ${lines.join('; ')}`, fields);
}

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
  /** Per-head width: D / H. */
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
}

export function modelDims(c: LlamaConfig): ModelDims {
  return {
    D: c.hidden_size,
    H: c.num_attention_heads,
    KVH: c.num_key_value_heads,
    rep: c.num_attention_heads / c.num_key_value_heads,
    hd: c.hidden_size / c.num_attention_heads,
    I: c.intermediate_size,
    V: c.vocab_size,
    L: c.num_hidden_layers,
    eps: c.rms_norm_eps,
    theta: c.rope_theta,
  };
}

/**
 * Every parameter's shape, in a fixed order (embeddings, blocks 0..L-1, final norm, head).
 * Linear weights are [out_features, in_features] as in PyTorch: y = x W^T.
 */
export function paramShapes(c: LlamaConfig): Map<string, number[]> {
  const { V, D, I, H, KVH, hd } = modelDims(c);
  const Hq = H * hd;
  const Hkv = KVH * hd;
  const m = new Map<string, number[]>();
  m.set('model.embed_tokens.weight', [V, D]);
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const p = `model.layers.${i}`;
    m.set(`${p}.input_layernorm.weight`, [D]);
    m.set(`${p}.self_attn.q_proj.weight`, [Hq, D]);
    m.set(`${p}.self_attn.k_proj.weight`, [Hkv, D]);
    m.set(`${p}.self_attn.v_proj.weight`, [Hkv, D]);
    m.set(`${p}.self_attn.o_proj.weight`, [D, Hq]);
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
 * Seeded initialisation: RMSNorm gains 1; every matrix N(0, 0.02^2), except the two
 * projections that write into the residual stream (o_proj, down_proj), which get
 * 0.02 / sqrt(2 L) so that the residual's variance does not grow with depth (GPT-2).
 * Draws happen in paramShapes order, so a seed fixes every value.
 */
export function initParams(c: LlamaConfig, rng: Rng): Map<string, Float32Array> {
  const residualStd = INIT_STD / Math.sqrt(2 * c.num_hidden_layers);
  const out = new Map<string, Float32Array>();
  for (const [name, shape] of paramShapes(c)) {
    const a = new Float32Array(numel(shape));
    if (name.endsWith('layernorm.weight') || name === 'model.norm.weight') {
      a.fill(1);
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
