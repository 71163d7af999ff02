// Evaluation of a policy on math tasks, as the paper evaluates: k samples per problem at
// temperature 0.6 and top-p 0.95 (defaults), rewarded by the math verifier, summarized as
// avg@k and unbiased pass@k overall and per difficulty level. In-process: no streams.
import type { Generator } from '../model/generator.ts';
import type { MathVerifierPool } from '../reward/math/pool.ts';
import type { MathTask } from '../tasks/math.ts';
import { type EvalSummary, summarize } from './eval.ts';
import { promptTokens, responseText } from './template.ts';

export interface EvalOptions {
  k: number;
  temperature: number;
  topP: number;
  maxNewTokens: number;
  seed: number;
  /** Rows per generator call. Default 256. */
  chunkRows?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface MathEvalReport {
  overall: EvalSummary;
  byLevel: Record<string, EvalSummary>;
  meanResponseTokens: number;
  /** Fraction of samples cut at maxNewTokens. */
  truncatedFrac: number;
  samples: { taskId: string; level: number; response: string; reward: number | null }[];
}

export async function evaluateMath(gen: Generator, verifier: MathVerifierPool, tasks: readonly MathTask[], o: EvalOptions): Promise<MathEvalReport> {
  const rows = tasks.flatMap((t) => Array.from({ length: o.k }, () => t));
  const chunk = o.chunkRows ?? 256;
  const correct = new Map<string, boolean[]>(tasks.map((t) => [t.id, []]));
  const samples: MathEvalReport['samples'] = [];
  let tokens = 0;
  let truncated = 0;
  for (let start = 0; start < rows.length; start += chunk) {
    const part = rows.slice(start, start + chunk);
    const out = await gen.sample(part.map((t) => promptTokens(t.question)), {
      maxNewTokens: o.maxNewTokens,
      temperature: o.temperature,
      topP: o.topP,
      seed: o.seed + start,
    });
    const verdicts = await Promise.all(part.map((t, i) => verifier.verify({ gold: t.gold, response: responseText(out.tokens[i]) })));
    part.forEach((t, i) => {
      correct.get(t.id)!.push(verdicts[i].reward === 1);
      tokens += out.tokens[i].length;
      if (!out.finished[i]) truncated++;
      samples.push({ taskId: t.id, level: t.level, response: responseText(out.tokens[i]), reward: verdicts[i].reward });
    });
    o.onProgress?.(Math.min(start + chunk, rows.length), rows.length);
  }
  const results = tasks.map((t) => ({ id: t.id, correct: correct.get(t.id)! }));
  const byLevel: Record<string, EvalSummary> = {};
  for (const level of [...new Set(tasks.map((t) => t.level))].sort()) {
    byLevel[String(level)] = summarize(results.filter((_, i) => tasks[i].level === level), o.k);
  }
  return { overall: summarize(results, o.k), byLevel, meanResponseTokens: tokens / rows.length, truncatedFrac: truncated / rows.length, samples };
}
