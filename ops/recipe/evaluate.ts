// Evaluation of a policy on a task suite, as the paper evaluates: k samples per problem at
// temperature 0.6 and top-p 0.95 (defaults), each rewarded by the domain's verifier (the same
// RolloutJudge the verifier actors use), summarized as avg@k and unbiased pass@k overall and
// per difficulty level. In-process: no streams. One domain per call; `ace eval --suite all`
// runs it once per domain.
import type { Domain } from '../../contracts/common.ts';
import type { Generator } from '../model/generator.ts';
import type { JudgeInput, Judgement } from '../reward/judge.ts';
import type { CodeTask } from '../tasks/code.ts';
import type { MathTask } from '../tasks/math.ts';
import { type EvalSummary, summarize } from './eval.ts';
import { promptTokens, responseText } from './template.ts';

export interface EvalOptions {
  k: number;
  temperature: number;
  topP: number;
  /** Response cap, tokens; lowered for a chunk whose longest prompt leaves less room in the context. */
  maxNewTokens: number;
  seed: number;
  /** Rows per generator call. Default 256. */
  chunkRows?: number;
  onProgress?: (done: number, total: number) => void;
}

/** One held-out problem: what the policy sees and what the judge needs besides the response. */
export interface EvalTask {
  id: string;
  level: number;
  prompt: string;
  domain: Domain;
  gold?: string;
  tests?: unknown;
}

export interface EvalReport {
  domain: Domain;
  overall: EvalSummary;
  byLevel: Record<string, EvalSummary>;
  meanResponseTokens: number;
  /** Fraction of samples cut at maxNewTokens. */
  truncatedFrac: number;
  /** Verdict kinds over all samples (correct, wrong, timeout, ...). */
  outcomes: Record<string, number>;
  samples: { taskId: string; level: number; response: string; reward: number | null; outcome: string }[];
}

export const mathEvalTasks = (tasks: readonly MathTask[]): EvalTask[] => tasks.map((t) => ({ id: t.id, level: t.level, prompt: t.question, domain: 'math', gold: t.gold }));
export const codeEvalTasks = (tasks: readonly CodeTask[]): EvalTask[] => tasks.map((t) => ({ id: t.id, level: t.level, prompt: t.prompt, domain: 'code', tests: t.tests }));

export type Judge = (input: JudgeInput) => Promise<Judgement>;
/** What evaluation needs of a policy: a Generator, or anything that samples the same way (a teacher replaying its solutions). */
export type Policy = { readonly options: { readonly maxSeqLen: number }; sample: Generator['sample'] };

export async function evaluateTasks(gen: Policy, judge: Judge, tasks: readonly EvalTask[], o: EvalOptions): Promise<EvalReport> {
  if (tasks.length === 0) throw new RangeError('no tasks to evaluate');
  const domain = tasks[0].domain;
  if (tasks.some((t) => t.domain !== domain)) throw new RangeError('evaluateTasks takes the tasks of one domain');
  const rows = tasks.flatMap((t) => Array.from({ length: o.k }, () => t));
  const chunk = o.chunkRows ?? 256;
  const correct = new Map<string, boolean[]>(tasks.map((t) => [t.id, []]));
  const samples: EvalReport['samples'] = [];
  const outcomes: Record<string, number> = {};
  let tokens = 0;
  let truncated = 0;
  for (let start = 0; start < rows.length; start += chunk) {
    const part = rows.slice(start, start + chunk);
    const prompts = part.map((t) => promptTokens(t.prompt));
    const room = gen.options.maxSeqLen - Math.max(...prompts.map((p) => p.length));
    if (room < 1) throw new RangeError(`a prompt of ${domain} task ${part[prompts.findIndex((p) => gen.options.maxSeqLen - p.length === room)].id} fills the ${gen.options.maxSeqLen}-token context`);
    const out = await gen.sample(prompts, { maxNewTokens: Math.min(o.maxNewTokens, room), temperature: o.temperature, topP: o.topP, seed: o.seed + start });
    const texts = out.tokens.map((ids) => responseText(ids));
    const verdicts = await Promise.all(part.map((t, i) => judge({ domain: t.domain, gold: t.gold, tests: t.tests, response: texts[i] })));
    part.forEach((t, i) => {
      const v = verdicts[i];
      correct.get(t.id)!.push(v.reward === 1);
      tokens += out.tokens[i].length;
      if (!out.finished[i]) truncated++;
      outcomes[v.outcome.kind] = (outcomes[v.outcome.kind] ?? 0) + 1;
      samples.push({ taskId: t.id, level: t.level, response: texts[i], reward: v.reward, outcome: v.outcome.kind });
    });
    o.onProgress?.(Math.min(start + chunk, rows.length), rows.length);
  }
  const results = tasks.map((t) => ({ id: t.id, correct: correct.get(t.id)! }));
  const byLevel: Record<string, EvalSummary> = {};
  for (const level of [...new Set(tasks.map((t) => t.level))].sort()) {
    byLevel[String(level)] = summarize(results.filter((_, i) => tasks[i].level === level), o.k);
  }
  return { domain, overall: summarize(results, o.k), byLevel, meanResponseTokens: tokens / rows.length, truncatedFrac: truncated / rows.length, outcomes, samples };
}
