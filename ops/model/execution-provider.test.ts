// The ORT execution provider setting of the learner and the generator: cpu by default, and
// asking for cuda where the installed onnxruntime-node has no CUDA provider (this project
// installs the CPU build, ONNXRUNTIME_NODE_INSTALL=skip) fails when the generator is created /
// the learner warms up, with an ExecutionProviderError that says how to install it, instead of
// ORT's bare "Failed to load shared library". On a machine with the CUDA provider installed
// those two cases are skipped (there, cuda is expected to work).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExecutionProviderError, checkExecutionProvider } from '../tensor/session.ts';
import { initParams, parseLlamaConfig } from './config.ts';
import { Generator, GeneratorOptions } from './generator.ts';
import { Learner, LearnerOptions } from './learner.ts';
import { Rng } from '../rng.ts';

const ortDist = dirname(createRequire(import.meta.url).resolve('onnxruntime-node'));
const cudaLib = join(ortDist, '..', 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so');
const cudaInstalled = existsSync(cudaLib);

const config = parseLlamaConfig({ vocab_size: 24, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, max_position_embeddings: 32 });

async function rejection(p: Promise<unknown>): Promise<ExecutionProviderError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ExecutionProviderError) return e;
    throw e;
  }
  throw new Error('expected an ExecutionProviderError');
}

function expectCudaHint(e: ExecutionProviderError): void {
  expect(e.code).toBe('EP_UNAVAILABLE');
  expect(e.provider).toBe('cuda');
  expect(e.message).toMatch(/execution provider 'cuda' is not available in onnxruntime-node 1\.\d+/);
  expect(e.message).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node');
  expect(e.message).toContain('CUDA 12');
}

describe('execution provider', () => {
  it('defaults to cpu in both option schemas and accepts only cpu or cuda', () => {
    expect(LearnerOptions.parse({}).executionProvider).toBe('cpu');
    expect(GeneratorOptions.parse({}).executionProvider).toBe('cpu');
    expect(GeneratorOptions.parse({ executionProvider: 'cuda' }).executionProvider).toBe('cuda');
    expect(() => LearnerOptions.parse({ executionProvider: 'rocm' })).toThrow();
    expect(() => GeneratorOptions.parse({ executionProvider: 'webgpu' })).toThrow();
  });

  it('cpu is always there', async () => {
    await expect(checkExecutionProvider('cpu')).resolves.toBeUndefined();
  });

  it.skipIf(cudaInstalled)('asking for cuda without the CUDA provider fails when the generator is created, saying how to install it', async () => {
    const params = initParams(config, new Rng(1));
    expectCudaHint(await rejection(Generator.create(config, params, { executionProvider: 'cuda', maxSeqLen: 16 })));
    // The cpu generator beside it is unaffected.
    const gen = await Generator.create(config, params, { maxSeqLen: 16 });
    const out = await gen.sample([Int32Array.of(1, 5, 6)], { maxNewTokens: 2, seed: 1 });
    expect(out.tokens[0].length).toBeGreaterThan(0);
    await gen.dispose();
  });

  it.skipIf(cudaInstalled)('asking for cuda without the CUDA provider fails when the learner warms up', async () => {
    const learner = new Learner(config, initParams(config, new Rng(1)), { buckets: [{ batch: 1, length: 8 }], executionProvider: 'cuda' });
    expectCudaHint(await rejection(learner.warmup()));
  });
});
