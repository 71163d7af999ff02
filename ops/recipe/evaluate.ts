// Evaluation of a policy on a task suite, as the paper evaluates: k samples per problem at
// temperature 0.6 and top-p 0.95 (defaults), each rewarded by the domain's verifier (the same
// RolloutJudge the verifier actors use, or the benchmark judge of `ace eval`), summarized as
// avg@k and unbiased pass@k overall and per difficulty level. In-process: no streams. One
// domain per call; `ace eval` runs it once per suite. Real benchmarks (perPromptRoom) have
// prompts of every length: each gets the room its own length leaves in the context, and one
// that leaves none is not sampled and scores wrong (outcome `over_context`), counted apart.
import type { Domain } from '../../contracts/common.ts';
import { fnv1a32 } from '../hash.ts';
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
  /**
   * For real benchmarks, whose prompts differ widely in length: each prompt gets the room its
   * own length leaves (rows are sampled in groups of equal cap), a row's sample depends only on
   * the seed, its task and its sample index (per-row seeds, so --limit does not change it), and
   * a prompt that leaves no room in the context is not sampled: its k samples score wrong with
   * outcome `over_context`. Off (the synthetic suites): a chunk's cap is the room of its longest
   * prompt, chunk seeds are seed + first row, and a prompt that fills the context is an error.
   */
  perPromptRoom?: boolean;
  /**
   * How questions become prompt ids and sampled ids become reply text (a template.ts prompt
   * format). Default: template.ts's promptTokens / responseText, the embedded byte-level format.
   */
  format?: PromptIo;
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
  /** Mean response length over the samples drawn, tokens; NaN when no prompt fit the context. */
  meanResponseTokens: number;
  /** Fraction of the samples drawn that were cut at the cap; NaN when none was drawn. */
  truncatedFrac: number;
  /** Verdict kinds over all samples (correct, wrong, unparseable, timeout, ..., over_context). */
  outcomes: Record<string, number>;
  /** Problems whose prompt left no room in the context (perPromptRoom): not sampled, scored wrong. */
  overContext: number;
  /** Samples drawn (problems x k, less those of over-context problems). */
  sampled: number;
  samples: { taskId: string; level: number; response: string; reward: number | null; outcome: string }[];
}

export const mathEvalTasks = (tasks: readonly MathTask[]): EvalTask[] => tasks.map((t) => ({ id: t.id, level: t.level, prompt: t.question, domain: 'math', gold: t.gold }));
export const codeEvalTasks = (tasks: readonly CodeTask[]): EvalTask[] => tasks.map((t) => ({ id: t.id, level: t.level, prompt: t.prompt, domain: 'code', tests: t.tests }));

/** The part of a prompt format (template.ts) evaluation uses. */
export type PromptIo = { promptTokens(question: string): Int32Array; responseText(ids: Int32Array): string };
const TEMPLATE_IO: PromptIo = { promptTokens, responseText };

export type Judge = (input: JudgeInput) => Promise<Judgement>;
/** What evaluation needs of a policy: a Generator, or anything that samples the same way (a teacher replaying its solutions). */
export type Policy = { readonly options: { readonly maxSeqLen: number }; sample: Generator['sample'] };

/** The samples of one generator call: rows (task index, sample index), one cap, a chunk seed or per-row seeds. */
type Batch = { rows: { task: number; j: number }[]; maxNewTokens: number; seed: number; rowSeeds?: number[] };

/** Outcome of the samples of a problem whose prompt leaves no room to answer. */
export const OVER_CONTEXT = 'over_context';

export async function evaluateTasks(gen: Policy, judge: Judge, tasks: readonly EvalTask[], o: EvalOptions): Promise<EvalReport> {
  if (tasks.length === 0) throw new RangeError('no tasks to evaluate');
  const domain = tasks[0].domain;
  if (tasks.some((t) => t.domain !== domain)) throw new RangeError('evaluateTasks takes the tasks of one domain');
  const io = o.format ?? TEMPLATE_IO;
  const prompts = tasks.map((t) => io.promptTokens(t.prompt));
  const chunk = o.chunkRows ?? 256;
  const maxSeqLen = gen.options.maxSeqLen;
  const batches: Batch[] = [];
  const overContext = new Set<number>();
  if (!o.perPromptRoom) {
    const rows = tasks.flatMap((_, task) => Array.from({ length: o.k }, (_, j) => ({ task, j })));
    for (let start = 0; start < rows.length; start += chunk) {
      const part = rows.slice(start, start + chunk);
      const room = maxSeqLen - Math.max(...part.map((r) => prompts[r.task].length));
      if (room < 1) throw new RangeError(`a prompt of ${domain} task ${tasks[part.find((r) => maxSeqLen - prompts[r.task].length === room)!.task].id} fills the ${maxSeqLen}-token context`);
      batches.push({ rows: part, maxNewTokens: Math.min(o.maxNewTokens, room), seed: o.seed + start });
    }
  } else {
    const capOf = (task: number) => Math.min(o.maxNewTokens, maxSeqLen - prompts[task].length);
    const fit = tasks.map((_, task) => task).filter((task) => (capOf(task) >= 1 ? true : (overContext.add(task), false)));
    // Longest room first; equal caps keep task order. Batches never mix caps.
    const rows = fit.sort((a, b) => capOf(b) - capOf(a) || a - b).flatMap((task) => Array.from({ length: o.k }, (_, j) => ({ task, j })));
    for (let start = 0; start < rows.length; ) {
      const cap = capOf(rows[start].task);
      let end = start;
      while (end < rows.length && end - start < chunk && capOf(rows[end].task) === cap) end++;
      const part = rows.slice(start, end);
      batches.push({ rows: part, maxNewTokens: cap, seed: o.seed, rowSeeds: part.map((r) => fnv1a32(`${o.seed}/${tasks[r.task].id}/${r.j}`)) });
      start = end;
    }
  }
  const correct = tasks.map(() => new Array<boolean>(o.k).fill(false));
  const slots: (EvalReport['samples'][number] | null)[] = new Array(tasks.length * o.k).fill(null);
  const outcomes: Record<string, number> = {};
  const total = batches.reduce((s, b) => s + b.rows.length, 0);
  let done = 0;
  let tokens = 0;
  let truncated = 0;
  for (const b of batches) {
    const out = await gen.sample(
      b.rows.map((r) => prompts[r.task]),
      { maxNewTokens: b.maxNewTokens, temperature: o.temperature, topP: o.topP, seed: b.seed, ...(b.rowSeeds ? { rowSeeds: b.rowSeeds } : {}) },
    );
    const texts = out.tokens.map((ids) => io.responseText(ids));
    const verdicts = await Promise.all(b.rows.map((r, i) => judge({ domain, gold: tasks[r.task].gold, tests: tasks[r.task].tests, response: texts[i] })));
    b.rows.forEach((r, i) => {
      const v = verdicts[i];
      const t = tasks[r.task];
      correct[r.task][r.j] = v.reward === 1;
      tokens += out.tokens[i].length;
      if (!out.finished[i]) truncated++;
      outcomes[v.outcome.kind] = (outcomes[v.outcome.kind] ?? 0) + 1;
      slots[r.task * o.k + r.j] = { taskId: t.id, level: t.level, response: texts[i], reward: v.reward, outcome: v.outcome.kind };
    });
    done += b.rows.length;
    o.onProgress?.(done, total);
  }
  for (const task of overContext) {
    outcomes[OVER_CONTEXT] = (outcomes[OVER_CONTEXT] ?? 0) + o.k;
    for (let j = 0; j < o.k; j++) slots[task * o.k + j] = { taskId: tasks[task].id, level: tasks[task].level, response: '', reward: 0, outcome: OVER_CONTEXT };
  }
  const results = tasks.map((t, i) => ({ id: t.id, correct: correct[i] }));
  const byLevel: Record<string, EvalSummary> = {};
  for (const level of [...new Set(tasks.map((t) => t.level))].sort()) {
    byLevel[String(level)] = summarize(results.filter((_, i) => tasks[i].level === level), o.k);
  }
  return {
    domain,
    overall: summarize(results, o.k),
    byLevel,
    meanResponseTokens: total > 0 ? tokens / total : Number.NaN,
    truncatedFrac: total > 0 ? truncated / total : Number.NaN,
    outcomes,
    overContext: overContext.size,
    sampled: total,
    samples: slots as EvalReport['samples'],
  };
}
