// The evaluation path of `ace eval` and `ace train` without a model: a teacher that replays
// its own solutions goes through the held-out draw, the prompt template, the response cap,
// the tokenizer round trip and the RolloutJudge, and must score every sample correct. On the
// real benchmarks the same path runs the datasets' reference solutions (the harness, not a
// model), and `ace eval` itself runs the embedded default on two of them.
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Domain } from '../contracts/common.ts';
import { BENCHMARKS } from '../ops/data/benchmarks.ts';
import { datasetPath, missingDatasetReason } from '../ops/datasets.ts';
import { loadCheckpoint } from '../ops/model/checkpoint.ts';
import { Generator } from '../ops/model/generator.ts';
import { encode, TOKEN } from '../ops/model/tokenizer.ts';
import { type EvalReport, type EvalTask, evaluateTasks, type Policy } from '../ops/recipe/evaluate.ts';
import { promptTokens } from '../ops/recipe/template.ts';
import { sandboxProblem } from '../ops/reward/code/py-runner.ts';
import { RolloutJudge } from '../ops/reward/judge.ts';
import { generateCodeTasks } from '../ops/tasks/code.ts';
import { generateMathTasks } from '../ops/tasks/math.ts';
import { runAce } from './harness/up.ts';
import { comparisonTable, DEFAULT_MAX_NEW_TOKENS, EvalJudges, heldoutTasks, parseSuiteList, prepareBenchmark, type SuitePlan } from './eval.ts';

const SEED = 2024;

/** Answers each prompt with the teacher's solution and <eos>, cut at maxNewTokens like a Generator. */
function teacher(solutions: Map<string, string>, maxSeqLen = 256): Policy {
  return {
    options: { maxSeqLen },
    async sample(prompts, opts = {}) {
      const cap = opts.maxNewTokens ?? 128;
      const full = prompts.map((p) => {
        const solution = solutions.get(p.join(','));
        if (solution === undefined) throw new Error('prompt of no known task');
        return Int32Array.from([...encode(solution), TOKEN.eos]);
      });
      return { tokens: full.map((t) => t.slice(0, cap)), logprobs: full.map((t) => new Float32Array(Math.min(t.length, cap))), finished: full.map((t) => t.length <= cap) };
    },
  };
}

/** One judge for the synthetic and the per-prompt-room tests (its math workers take seconds to start). */
const judge = new RolloutJudge({ mathWorkers: 1, mathDeadlineMs: 2000, codeJsWorkers: 1, codePyWorkers: 1 });
afterAll(() => judge.close());

describe('evaluation judged end to end on teacher solutions', () => {
  const solutions = new Map<string, string>();
  // The same draws heldoutTasks makes, with the teacher's solutions beside them.
  for (const t of generateMathTasks({ seed: SEED, split: 'heldout', count: 400 })) solutions.set(promptTokens(t.question).join(','), t.solution);
  for (const t of generateCodeTasks({ seed: SEED, split: 'heldout', count: 400 })) solutions.set(promptTokens(t.prompt).join(','), t.solution);
  const heldout = heldoutTasks({ domains: ['math', 'code'], seed: SEED, problems: 400 });

  it.each(['math', 'code'] as Domain[])('%s: every teacher sample is judged correct at the default response cap: avg@2 = pass@2 = 1, nothing truncated', async (domain) => {
    await judge.ready();
    const r: EvalReport = await evaluateTasks(teacher(solutions), (x) => judge.judge(x), heldout[domain]!, {
      k: 2,
      temperature: 0.6,
      topP: 0.95,
      maxNewTokens: DEFAULT_MAX_NEW_TOKENS[domain],
      seed: SEED,
    });
    expect(r.domain).toBe(domain);
    expect(r.outcomes).toEqual({ correct: 800 });
    expect(r.overall).toMatchObject({ problems: 400, avgAtK: 1, passAtK: 1 });
    expect(Object.keys(r.byLevel)).toEqual(['1', '2', '3', '4', '5']);
    for (const s of Object.values(r.byLevel)) expect(s).toMatchObject({ avgAtK: 1, passAtK: 1 });
    expect(r.truncatedFrac).toBe(0);
  }, 30_000);

  it('a cap below the teacher scores the cut samples wrong and counts them truncated', async () => {
    await judge.ready();
    const r = await evaluateTasks(teacher(solutions), (x) => judge.judge(x), heldout.code!.slice(0, 20), { k: 2, temperature: 0.6, topP: 0.95, maxNewTokens: 8, seed: SEED });
    expect(r.overall.avgAtK).toBe(0);
    expect(r.truncatedFrac).toBe(1);
    expect(r.meanResponseTokens).toBe(8);
  });
});

describe('heldoutTasks', () => {
  it('is fixed by the seed, per suite', () => {
    const a = heldoutTasks({ domains: ['math', 'code'], seed: 7, problems: 30 });
    const b = heldoutTasks({ domains: ['code'], seed: 7, problems: 30 });
    expect(a.code!.map((t) => t.id)).toEqual(b.code!.map((t) => t.id));
    expect(b.math).toBeUndefined();
    expect(a.math!.length).toBe(30);
    expect(heldoutTasks({ domains: ['code'], seed: 8, problems: 30 }).code!.map((t) => t.id)).not.toEqual(b.code!.map((t) => t.id));
  });

  it('more code problems than the split yields is a usage error with a HINT, not a stack', () => {
    expect(() => heldoutTasks({ domains: ['code'], seed: SEED, problems: 2000 })).toThrow(
      expect.objectContaining({ code: 'TOO_MANY_PROBLEMS', message: expect.stringMatching(/^2000 held-out code problems asked for; .*only \d+ distinct heldout tasks exist[^]*\nHINT: /) }),
    );
  });
});

describe('comparisonTable', () => {
  const report = (domain: Domain, avg: number, levels: number[]): EvalReport => {
    const s = { problems: 2, samplesPerProblem: 2, avgAtK: avg, passAtK: Math.min(1, avg * 2), k: 2 };
    return { domain, overall: s, byLevel: Object.fromEntries(levels.map((l) => [String(l), s])), meanResponseTokens: 10 * avg, truncatedFrac: 0, outcomes: {}, overContext: 0, sampled: 4, samples: [] };
  };

  it('has rows per suite and one column per evaluation', () => {
    const before = { math: report('math', 0.25, [1, 2]), code: report('code', 0, [3]) };
    const after = { math: report('math', 0.5, [1, 2]), code: report('code', 0.125, [3]) };
    const table = comparisonTable([{ name: 'base', reports: before }, { name: 'after RL', reports: after }], ['math', 'code'], 2, 'metric');
    expect(table.trimEnd().split('\n')).toEqual([
      '| metric | base | after RL |',
      '|---|---|---|',
      '| math avg@2 (pass@1) | 25.0% | 50.0% |',
      '| math pass@2 | 50.0% | 100.0% |',
      '| math level 1 avg@2 | 25.0% | 50.0% |',
      '| math level 2 avg@2 | 25.0% | 50.0% |',
      '| math mean response tokens | 2.5 | 5.0 |',
      '| code avg@2 (pass@1) | 0.0% | 12.5% |',
      '| code pass@2 | 0.0% | 25.0% |',
      '| code level 3 avg@2 | 0.0% | 12.5% |',
      '| code mean response tokens | 0.0 | 1.3 |',
    ]);
  });
});

describe('parseSuiteList', () => {
  it('takes names in the order given, expands groups, drops repeats, rejects unknown names', () => {
    expect(parseSuiteList('math500, MBPP')).toEqual(['math500', 'mbpp']);
    expect(parseSuiteList('synthetic')).toEqual(['math', 'code']);
    expect(parseSuiteList('aime24,benchmarks')).toEqual(['aime24', 'math500', 'aime25', 'amc23', 'gsm8k', 'mbpp', 'lcb2023', 'lcb2024', 'codecontests']);
    expect(parseSuiteList('all')).toEqual(['math', 'code', 'math500', 'aime24', 'aime25', 'amc23', 'gsm8k', 'mbpp', 'lcb2023', 'lcb2024', 'codecontests']);
    expect(parseSuiteList('math500,aime2024')).toBeNull();
    expect(parseSuiteList('')).toBeNull();
  });
});

describe('evaluateTasks with a room per prompt (real benchmarks)', () => {
  const task = (id: string, prompt: string): EvalTask => ({ id, level: 0, prompt, domain: 'math', gold: '7' });
  const answer = '<think>\n3+4\n</think>\n\\boxed{7}';

  it('samples each prompt with the room its own length leaves; a prompt that fills the context scores wrong as over_context', async () => {
    await judge.ready();
    const short = task('short', 'What is 3+4?');
    const long = task('long', `What is 3+4? ${'Think about it. '.repeat(4)}`);
    const huge = task('huge', 'x'.repeat(200));
    const solutions = new Map([short, long, huge].map((t) => [promptTokens(t.prompt).join(','), answer]));
    const maxSeqLen = promptTokens(long.prompt).length + encode(answer).length + 1; // room for the answer and <eos>, no more
    expect(promptTokens(huge.prompt).length).toBeGreaterThanOrEqual(maxSeqLen);
    const r = await evaluateTasks(teacher(solutions, maxSeqLen), (x) => judge.judge(x), [short, huge, long], { k: 3, temperature: 0.6, topP: 0.95, maxNewTokens: 64, seed: 1, perPromptRoom: true });
    expect(r.outcomes).toEqual({ correct: 6, over_context: 3 });
    expect(r).toMatchObject({ overContext: 1, sampled: 6, truncatedFrac: 0 });
    expect(r.overall).toMatchObject({ problems: 3, avgAtK: 2 / 3, passAtK: 2 / 3 });
    expect(r.samples.map((x) => `${x.taskId}:${x.outcome}`)).toEqual([...Array(3).fill('short:correct'), ...Array(3).fill('huge:over_context'), ...Array(3).fill('long:correct')]);
    // Without it (the synthetic suites) a prompt that fills the context is an error, as before.
    await expect(evaluateTasks(teacher(solutions, maxSeqLen), (x) => judge.judge(x), [short, huge], { k: 1, temperature: 0.6, topP: 0.95, maxNewTokens: 64, seed: 1 })).rejects.toThrow(/a prompt of math task huge fills the \d+-token context/);
  });

  it("a problem's samples do not depend on the other problems evaluated with it (so not on --limit): the embedded default", async () => {
    await judge.ready();
    const ckpt = loadCheckpoint('models/base');
    const gen = await Generator.create(ckpt.config, ckpt.params, { threads: 1, maxBatch: 256 });
    try {
      const a = task('a', 'Compute 12 - 5 and then add 19 to it.');
      const others = [task('b', 'What is 3+4?'), task('c', `A longer question, so a shorter room: ${'and so on, '.repeat(12)}what is 3+4?`)];
      const o = { k: 4, temperature: 0.6, topP: 0.95, maxNewTokens: 48, seed: 5, perPromptRoom: true };
      const alone = await evaluateTasks(gen, (x) => judge.judge(x), [a], o);
      const together = await evaluateTasks(gen, (x) => judge.judge(x), [...others, a], o);
      expect(together.samples.filter((x) => x.taskId === 'a').map((x) => x.response)).toEqual(alone.samples.map((x) => x.response));
      const reseeded = await evaluateTasks(gen, (x) => judge.judge(x), [a], { ...o, seed: 6 });
      expect(reseeded.samples.map((x) => x.response)).not.toEqual(alone.samples.map((x) => x.response));
    } finally {
      await gen.dispose();
    }
  });
});

const CODE_BENCHMARKS = ['mbpp', 'lcb2023', 'lcb2024', 'codecontests'] as const;
const codeMissing = CODE_BENCHMARKS.map((n) => missingDatasetReason(BENCHMARKS[n].file)).find((r) => r !== null) ?? sandboxProblem();
if (codeMissing) console.warn(`benchmark references through the eval path skipped: ${codeMissing}`);

/**
 * Known-correct programs we wrote for the first problem of the two sets that ship no solutions
 * (ours, not the dataset's): they show the stdio and class-method paths pass real tests.
 */
const OUR_SOLUTIONS: Record<string, string> = {
  'weekly-contest-381-minimum-number-of-pushes-to-type-word-i': 'class Solution:\n    def minimumPushes(self, word: str) -> int:\n        return sum(i // 8 + 1 for i in range(len(word)))\n',
  'code_contests_test/0': [
    'import sys',
    'data = sys.stdin.read().split()',
    'n, m = int(data[0]), int(data[1])',
    'titles = data[2:2 + n]',
    '# odd positions (1-based) ascending, even positions descending: flip the letters at even positions',
    "key = lambda i: ''.join(c if j % 2 == 0 else chr(155 - ord(c)) for j, c in enumerate(titles[i]))",
    "print(' '.join(str(i + 1) for i in sorted(range(n), key=key)))",
    '',
  ].join('\n'),
};

describe.skipIf(codeMissing !== null)('code benchmarks: reference solutions through the eval path (the harness, not a model)', () => {
  const judges = new EvalJudges();
  afterAll(() => judges.close());
  const fenced = (code: string) => `<think>\nThe reference.\n</think>\n\`\`\`python\n${code}\n\`\`\``;

  /** The first `n` problems of a benchmark with a program each: the dataset's reference, else ours. */
  function withPrograms(name: (typeof CODE_BENCHMARKS)[number], n: number): { plan: SuitePlan; programs: Map<string, string> } {
    const b = prepareBenchmark(name, n);
    if (b.skipped !== null) throw new Error(b.skipped);
    const refs = new Map(BENCHMARKS[name].load().slice(0, n).map((p) => [p.id, p.reference ?? OUR_SOLUTIONS[p.id]]));
    const tasks = b.tasks.filter((t) => refs.get(t.id) !== undefined);
    return { plan: { name, domain: 'code', tasks, benchmark: true }, programs: new Map(tasks.map((t) => [promptTokens(t.prompt).join(','), refs.get(t.id)!])) };
  }

  it.each([
    ['mbpp', 5],
    ['lcb2024', 5],
    ['lcb2023', 1],
    ['codecontests', 1],
  ] as const)('%s: the first %i programs (the dataset reference; ours where the set ships none) pass every test: avg@2 = pass@2 = 1; a wrong program fails them all', async (name, n) => {
    const { plan, programs } = withPrograms(name, n);
    expect(plan.tasks.length).toBe(n);
    const solutions = new Map([...programs].map(([prompt, code]) => [prompt, fenced(code)]));
    const opts = { k: 2, temperature: 0.6, topP: 0.95, maxNewTokens: 1 << 15, seed: 1, perPromptRoom: true };
    const r = await evaluateTasks(teacher(solutions, 1 << 16), judges.judgeFor(plan), plan.tasks, opts);
    expect(r.samples.filter((x) => x.outcome !== 'correct').map((x) => `${x.taskId}: ${x.outcome}`)).toEqual([]);
    expect(r.overall).toMatchObject({ problems: n, avgAtK: 1, passAtK: 1 });
    const wrong = new Map([...programs].map(([prompt]) => [prompt, fenced(name === 'codecontests' ? "print('ace-wrong-answer')" : 'def nothing():\n    return None\n')]));
    const w = await evaluateTasks(teacher(wrong, 1 << 16), judges.judgeFor(plan), plan.tasks, opts);
    expect(w.outcomes).toEqual({ wrong: 2 * n });
  }, 120_000);
});

const cliMissing = ['math/math500.jsonl.gz', 'code/mbpp.jsonl.gz'].map(missingDatasetReason).find((r) => r !== null) ?? null;
if (cliMissing) console.warn(`ace eval on benchmarks skipped: ${cliMissing}`);

describe.skipIf(cliMissing !== null)('ace eval on real benchmarks with the embedded default (models/base)', () => {
  /** A datasets folder holding only MATH500 and MBPP (links to the shared files, not copies). */
  function partialDatasets(): string {
    const dir = mkdtempSync(join(tmpdir(), 'ace-datasets-'));
    for (const rel of ['math/math500.jsonl.gz', 'code/mbpp.jsonl.gz']) {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      symlinkSync(datasetPath(rel)!, join(dir, rel));
    }
    return dir;
  }
  const ROW = (suite: string) => new RegExp(`^\\| ${suite} \\| 3 \\| 2 \\| \\d+\\.\\d% \\| \\d+\\.\\d% \\| (\\d+\\.\\d|-) \\| (\\d+\\.\\d%|-) \\| (\\d+\\.\\d%|-) \\| [0-3] \\| 0 \\|$`, 'm');

  it('--suite math500,mbpp,aime24 --limit 3 -k 2: a row per benchmark with figures; the absent aime24 is skipped with its reason', async () => {
    const dir = partialDatasets();
    const r = await runAce(['eval', '--suite', 'math500,mbpp,aime24', '--limit', '3', '-k', '2'], 120_000, { ACE_DATASETS: dir });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('| suite | problems | k | avg@k | pass@k | mean response tokens | truncated | unparseable | over context | unsupported |');
    expect(r.stdout).toMatch(ROW('math500'));
    expect(r.stdout).toMatch(ROW('mbpp'));
    expect(r.stdout).toMatch(/^\| aime24 \| - \| 2 \| - \| - \| - \| - \| - \| - \| - \|$/m);
    expect(r.stdout).toContain(`aime24: skipped: dataset ${join(dir, 'math/aime24.jsonl.gz')} not found (set ACE_DATASETS)`);
    expect(r.stderr).toContain('[eval] aime24: skipped: dataset');
  }, 150_000);

  it('--json: the same figures as one object on the last stdout line, the table on stderr', async () => {
    const r = await runAce(['eval', '--suite', 'math500,mbpp', '--limit', '3', '-k', '2', '--json'], 120_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').length).toBe(1);
    const out = JSON.parse(r.stdout.trim());
    expect(out).toMatchObject({ checkpoint: 'models/base', k: 2, limit: 3, sampling: { temperature: 0.6, topP: 0.95, seed: 2024 } });
    expect(Object.keys(out.suites)).toEqual(['math500', 'mbpp']);
    for (const [name, s] of Object.entries(out.suites) as [string, Record<string, any>][]) {
      expect(s).toMatchObject({ kind: 'benchmark', skipped: null, problems: 3, unsupported: [], maxNewTokens: DEFAULT_MAX_NEW_TOKENS[BENCHMARKS[name as 'mbpp'].domain] });
      const samples = Object.values(s.outcomes as Record<string, number>).reduce((a, b) => a + b, 0);
      expect(samples).toBe(6);
      expect(s.outcomes.over_context ?? 0).toBe(2 * s.overContext);
      expect(s.sampled).toBe(6 - 2 * s.overContext);
      expect(s.avgAtK).toBeGreaterThanOrEqual(0);
      expect(s.passAtK).toBeGreaterThanOrEqual(s.avgAtK);
      expect(s.passAtK).toBeLessThanOrEqual(1);
      expect(s.avgAtK * 6).toBeCloseTo(s.outcomes.correct ?? 0, 9);
      if (s.sampled > 0) expect(s.meanResponseTokens).toBeGreaterThan(0);
      else expect(s.meanResponseTokens).toBeNull();
    }
    expect(r.stderr).toMatch(/^\| math500 \| 3 \| 2 \| /m);
  }, 150_000);
});
