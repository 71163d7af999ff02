// The real benchmarks `ace eval --suite` scores a checkpoint on, as the paper evaluates:
// MATH500, AIME 2024/2025, AMC 2023 and GSM8K (final answer in the last \boxed{} after
// </think>, judged by ops/reward/math), and MBPP, two LeetCode windows and CodeContests (the
// last fenced Python block, every test must pass, judged by ops/reward/code). Each problem
// becomes the user message the policy sees plus what the judge needs: the gold answer, or
// tests in one of the code verifier's formats. Files are read from the shared datasets folder
// (ops/datasets.ts: $ACE_DATASETS, else ../shared/datasets), never copied into the repository;
// a missing file is a visible skip reason, not an error. Problems the verifier cannot judge
// exactly (a CodeContests statement that accepts several outputs, needs a tolerance or an
// interactor) are marked unsupported with their reason, so that they are listed, not scored 0.
// Not the curation readers (ops/data/read.ts) and not the code verifier's own dataset
// checks (ops/reward/code/datasets.ts, whose test loaders are reused here).
import type { Domain } from '../../contracts/common.ts';
import { datasetPath, missingDatasetReason, readRows } from '../datasets.ts';
import { canParseAnswer } from '../reward/math/judge.ts';
import { CODE_DATASETS, type CodeProblem, loadCodeContestsTest, loadLeetCodeContest2023, loadLeetCodeV031Test } from '../reward/code/datasets.ts';
import { CodeTests } from '../reward/code/types.ts';

export const BENCHMARK_NAMES = ['math500', 'aime24', 'aime25', 'amc23', 'gsm8k', 'mbpp', 'lcb2023', 'lcb2024', 'codecontests'] as const;
export type BenchmarkName = (typeof BENCHMARK_NAMES)[number];
export const isBenchmarkName = (s: string): s is BenchmarkName => (BENCHMARK_NAMES as readonly string[]).includes(s);

/** One benchmark problem, ready for the evaluation loop. */
export interface BenchmarkProblem {
  /** The dataset's own id (MATH500 unique_id, AIME id, MBPP task_id, LeetCode slug, CodeContests row index). */
  id: string;
  /** MATH level 1-5 for MATH500; 0 where the set has no levels. */
  level: number;
  /** The user message: the statement and what form the answer must take. */
  question: string;
  /** Math: the gold answer as the dataset stores it. */
  gold?: string;
  /** Code: the tests, in one of the code verifier's formats. */
  tests?: CodeTests;
  /** Code: the dataset's reference solution as a full program, where it ships one. */
  reference?: string;
  /** Why the verifier cannot judge this problem exactly: it is listed, not scored. */
  unsupported?: string;
}

export interface Benchmark {
  name: BenchmarkName;
  domain: Domain;
  /** What it is, for --help and the report. */
  title: string;
  /** The dataset file, relative to the datasets folder. */
  file: string;
  /** Samples per problem the paper reports (avg@k), where it reports this benchmark. */
  paperK?: number;
  load(): BenchmarkProblem[];
}

// ---- prompts ---------------------------------------------------------------------------

/** The math user message: the problem, then the boxed-answer instruction (the R1-style prompt the paper uses). */
export function mathQuestion(problem: string): string {
  return `${problem.trim()}\nPlease reason step by step, and put your final answer within \\boxed{}.`;
}

/** How every code answer must be given: one Python block after the reasoning (what the code reward extracts). */
export const CODE_ANSWER_FORMAT = 'After your reasoning, give the complete Python 3 solution in one code block:\n```python\n# your solution\n```';

/** A code user message for a function-style problem: the statement and the header to implement. */
export function functionQuestion(statement: string, starter: string): string {
  return `${statement.trim()}\n\nSolve the problem starting with the provided function header.\n\nFunction header:\n\`\`\`python\n${starter.trimEnd()}\n\`\`\`\n\n${CODE_ANSWER_FORMAT}`;
}

/** A code user message for a standard-input problem. */
export function stdioQuestion(statement: string): string {
  return `${statement.trim()}\n\nRead the input from standard input and write the answer to standard output.\n\n${CODE_ANSWER_FORMAT}`;
}

/** The MBPP user message: the task and its tests (as MBPP's own prompt shows them: they name the function). */
export function mbppQuestion(text: string, tests: readonly string[]): string {
  return `${text.trim()}\n\nYour code should pass these tests:\n${tests.join('\n')}\n\n${CODE_ANSWER_FORMAT}`;
}

// ---- what the code verifier cannot judge -----------------------------------------------

const UNSUPPORTED_STATEMENTS: { re: RegExp; why: string }[] = [
  { re: /\bInteraction\s*\n|\binteractive problem\b/i, why: 'interactive problem: needs an interactor, the verifier only feeds stdin' },
  {
    re: /\b(print|output) any\b|\bany of them\b|\b(several|multiple|many) (possible |valid |correct |different )?(answers|solutions)\b|\bany (valid|correct|possible) (answer|solution)\b/i,
    why: 'several outputs are accepted: needs a checker, the verifier compares with the one expected output',
  },
  { re: /\babsolute or relative error\b|\brelative or absolute error\b|\b(absolute|relative) error\b/i, why: 'real-valued output judged with a tolerance: the verifier compares numbers exactly' },
];

/** Why a stdin/stdout statement cannot be judged by exact output comparison, or undefined. */
export function stdioUnsupported(statement: string): string | undefined {
  return UNSUPPORTED_STATEMENTS.find((u) => u.re.test(statement))?.why;
}

// ---- loaders ---------------------------------------------------------------------------

function rowsOf<T>(rel: string): T[] {
  const p = datasetPath(rel);
  if (!p) throw new Error(missingDatasetReason(rel) ?? `dataset ${rel} not found`);
  return readRows<T>(p);
}

function mathProblem(id: string, level: number, problem: string, gold: string): BenchmarkProblem {
  return { id, level, question: mathQuestion(problem), gold, unsupported: canParseAnswer(gold) ? undefined : `gold answer ${JSON.stringify(gold)} cannot be read by the math verifier` };
}

type MathRow = { problem: string; answer: string | number; id?: string | number; unique_id?: string; level?: number };
type GsmRow = { question: string; answer: string };
type MbppRow = { task_id: number; text: string; code: string; test_list: string[]; test_setup_code: string };
type ContestRow = { task_id: string; prompt_sft: string };
type LeetCodeRow = { task_id: string; problem_description: string; starter_code: string };

/** The trailing instruction of the LeetCode contest set's prompt_sft, with its starter code. */
const CONTEST_TAIL = /\n*Please complete the code below to solve above prblem:\n```python\n([\s\S]*?)```\s*$/;

/** Pairs a verifier loader's problems with the raw rows of the same file (same order), checking the ids. */
function zipById<R>(problems: CodeProblem[], rows: R[], idOf: (r: R, i: number) => string): { p: CodeProblem; r: R }[] {
  if (problems.length !== rows.length) throw new Error(`loader gave ${problems.length} problems for ${rows.length} rows`);
  return problems.map((p, i) => {
    if (p.id !== idOf(rows[i], i)) throw new Error(`row ${i}: loader id ${p.id} is not ${idOf(rows[i], i)}`);
    return { p, r: rows[i] };
  });
}

export const BENCHMARKS: Record<BenchmarkName, Benchmark> = {
  math500: {
    name: 'math500',
    domain: 'math',
    title: 'MATH500 (500 problems of the MATH test set, levels 1-5)',
    file: 'math/math500.jsonl.gz',
    load: () => rowsOf<MathRow>('math/math500.jsonl.gz').map((r) => mathProblem(String(r.unique_id), r.level ?? 0, r.problem, String(r.answer))),
  },
  aime24: {
    name: 'aime24',
    domain: 'math',
    title: 'AIME 2024 (30 problems, integer answers)',
    file: 'math/aime24.jsonl.gz',
    paperK: 64,
    load: () => rowsOf<MathRow>('math/aime24.jsonl.gz').map((r) => mathProblem(String(r.id), 0, r.problem, String(r.answer))),
  },
  aime25: {
    name: 'aime25',
    domain: 'math',
    title: 'AIME 2025 (30 problems, integer answers)',
    file: 'math/aime25.jsonl.gz',
    paperK: 64,
    load: () => rowsOf<MathRow>('math/aime25.jsonl.gz').map((r) => mathProblem(String(r.id), 0, r.problem, String(r.answer))),
  },
  amc23: {
    name: 'amc23',
    domain: 'math',
    title: 'AMC 2023 (40 problems)',
    file: 'math/amc23.jsonl.gz',
    load: () => rowsOf<MathRow>('math/amc23.jsonl.gz').map((r) => mathProblem(`amc23/${r.id}`, 0, r.problem, String(r.answer))),
  },
  gsm8k: {
    name: 'gsm8k',
    domain: 'math',
    title: 'GSM8K test (1,319 problems; gold = the number after ####)',
    file: 'math/gsm8k_test.jsonl.gz',
    load: () => rowsOf<GsmRow>('math/gsm8k_test.jsonl.gz').map((r, i) => mathProblem(`gsm8k/${i}`, 0, r.question, r.answer.split('####').pop()!.trim())),
  },
  mbpp: {
    name: 'mbpp',
    domain: 'code',
    title: 'MBPP test split (task_id 11-510; Python asserts; reference code)',
    file: 'code/mbpp.jsonl.gz',
    load: () =>
      rowsOf<MbppRow>('code/mbpp.jsonl.gz')
        .filter((r) => r.task_id >= 11 && r.task_id <= 510)
        .map((r) => ({
          id: `mbpp/${r.task_id}`,
          level: 0,
          question: mbppQuestion(r.text, r.test_list),
          tests: CodeTests.parse({ format: 'assert', language: 'python', setup: r.test_setup_code ?? '', cases: r.test_list }),
          reference: r.code,
        })),
  },
  lcb2023: {
    name: 'lcb2023',
    domain: 'code',
    title: 'LeetCode contests Jul 2023 - Jan 2024 (180 problems, about 100 Python asserts each; no solutions)',
    file: CODE_DATASETS.leetcodeContest2023,
    paperK: 8,
    load: () =>
      zipById(loadLeetCodeContest2023(), rowsOf<ContestRow>(CODE_DATASETS.leetcodeContest2023), (r) => r.task_id).map(({ p, r }) => {
        const m = CONTEST_TAIL.exec(r.prompt_sft);
        if (!m) throw new Error(`${p.id}: prompt_sft does not end with its starter code`);
        return { id: p.id, level: 0, question: functionQuestion(r.prompt_sft.slice(0, m.index), m[1]), tests: p.tests };
      }),
  },
  lcb2024: {
    name: 'lcb2024',
    domain: 'code',
    title: 'LeetCodeDataset v0.3.1 test, Aug 2024 - Mar 2025 (228 problems, the LiveCodeBench v5 window; reference solutions)',
    file: CODE_DATASETS.leetcodeV031Test,
    paperK: 8,
    load: () =>
      zipById(loadLeetCodeV031Test(), rowsOf<LeetCodeRow>(CODE_DATASETS.leetcodeV031Test), (r) => r.task_id).map(({ p, r }) => ({
        id: p.id,
        level: 0,
        question: functionQuestion(r.problem_description, r.starter_code),
        tests: p.tests,
        reference: p.reference ?? undefined,
      })),
  },
  codecontests: {
    name: 'codecontests',
    domain: 'code',
    title: 'CodeContests test (165 problems, stdin/stdout; no solutions)',
    file: CODE_DATASETS.codeContestsTest,
    load: () =>
      loadCodeContestsTest().map((p) => ({ id: p.id, level: 0, question: stdioQuestion(p.prompt), tests: p.tests, unsupported: stdioUnsupported(p.prompt) })),
  },
};

export type LoadedBenchmark = { name: BenchmarkName; domain: Domain; skipped: string } | { name: BenchmarkName; domain: Domain; skipped: null; problems: BenchmarkProblem[] };

/** The first `limit` problems of a benchmark (all without a limit), or why it is skipped (its file is absent). */
export function loadBenchmark(name: BenchmarkName, limit?: number): LoadedBenchmark {
  const b = BENCHMARKS[name];
  const missing = missingDatasetReason(b.file);
  if (missing) return { name, domain: b.domain, skipped: missing };
  const all = b.load();
  return { name, domain: b.domain, skipped: null, problems: limit === undefined ? all : all.slice(0, limit) };
}
