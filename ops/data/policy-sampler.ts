// The curation Sampler over a policy checkpoint: the generator samples n responses per
// prompt (as the paper evaluates: temperature 0.6, top-p 0.95) for the difficulty stage.
// A prompt too long for the policy's context gets empty responses: the policy cannot solve it.
// Prompts go through the checkpoint's own prompt format (its tokenizer and chat template, or
// the embedded byte-level format); a bare model directory is read as step 0.
import { loadCheckpoint } from '../model/checkpoint.ts';
import { Generator } from '../model/generator.ts';
import { modelPromptFormat, type PromptFormat, samplingIdsOf } from '../recipe/template.ts';
import type { Sampler } from './verifiers.ts';

export interface PolicySamplerOptions {
  maxNewTokens?: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  threads?: number;
  chunkRows?: number;
}

export class GeneratorSampler implements Sampler {
  readonly name: string;

  private constructor(
    private readonly gen: Generator,
    private readonly maxSeqLen: number,
    private readonly o: Required<PolicySamplerOptions>,
    checkpoint: string,
    private readonly format: PromptFormat,
  ) {
    this.name = `checkpoint:${checkpoint}`;
  }

  static async open(checkpoint: string, opts: PolicySamplerOptions = {}): Promise<GeneratorSampler> {
    const ckpt = loadCheckpoint(checkpoint, { allowModelDir: true });
    const format = modelPromptFormat(checkpoint, ckpt.config);
    const o = { maxNewTokens: 96, temperature: 0.6, topP: 0.95, seed: 0, threads: 2, chunkRows: 256, ...opts };
    const maxSeqLen = ckpt.config.max_position_embeddings;
    const gen = await Generator.create(ckpt.config, ckpt.params, { threads: o.threads, maxBatch: o.chunkRows, maxSeqLen, ...samplingIdsOf(format, ckpt.config) });
    return new GeneratorSampler(gen, maxSeqLen, o, checkpoint, format);
  }

  async sample(prompts: readonly string[], n: number): Promise<string[][]> {
    const out: string[][] = prompts.map(() => []);
    const rows: { prompt: number; tokens: Int32Array }[] = [];
    prompts.forEach((p, i) => {
      const tokens = this.format.promptTokens(p);
      if (tokens.length + this.o.maxNewTokens <= this.maxSeqLen) for (let k = 0; k < n; k++) rows.push({ prompt: i, tokens });
      else for (let k = 0; k < n; k++) out[i].push('');
    });
    for (let start = 0; start < rows.length; start += this.o.chunkRows) {
      const part = rows.slice(start, start + this.o.chunkRows);
      const r = await this.gen.sample(part.map((x) => x.tokens), { maxNewTokens: this.o.maxNewTokens, temperature: this.o.temperature, topP: this.o.topP, seed: this.o.seed + start });
      part.forEach((x, i) => out[x.prompt].push(this.format.responseText(r.tokens[i])));
    }
    return out;
  }

  async close(): Promise<void> {
    await this.gen.dispose();
  }
}
