// Code problem checks against the code verifier: (1) the reference solution must pass
// its own tests, or every correct policy answer risks a false-negative reward; (2) tests
// must kill mutants of the reference (mutate.ts), or wrong programs get a false-positive
// reward. Runs through the small CodeRunner interface so that any verifier plugs in;
// not a sandbox itself.
import { z } from 'zod';
import type { OutcomeKind } from '../../contracts/outcome.ts';
import { caseArguments, differentialCases, variantArguments } from './differential.ts';
import { MutationOperator, mutants, type Mutant } from './mutate.ts';
import type { Problem } from './task.ts';

/** What curation needs from the code verifier: run one program against a problem's tests. */
export interface CodeRunner {
  run(input: { language: string; code: string; tests: unknown }): Promise<RunVerdict>;
}
export type RunVerdict = { kind: OutcomeKind; passed: number; total: number; detail?: string };

export const CodeCheckConfig = z
  .object({
    /** Run each reference solution against its own tests and drop the ones that fail. */
    referenceCheck: z.boolean().default(true),
    /** Mutants tried per problem (0 turns the weak-test check off). */
    mutantsPerProblem: z.number().int().min(0).default(12),
    /** Mutation operators to use. */
    operators: z.array(z.enum(MutationOperator)).min(1).default([...MutationOperator]),
    /** Wall-clock limit per test case for reference and mutants, ms: a mutant that loops forever costs this much. */
    perTestMs: z.number().int().positive().default(1000),
    /** Drop problems where some mutant passes every test (listed either way). */
    dropWeakTests: z.boolean().default(true),
    /**
     * Differential inputs tried on surviving mutants (0 = off): new arguments made from the
     * tests' own, run through the reference and the mutant side by side (differential.ts).
     */
    differentialInputs: z.number().int().min(0).default(8),
    /** Surviving mutants checked with differential inputs per problem. */
    survivorsChecked: z.number().int().positive().default(3),
    /** Keep (but list) problems whose checked survivors all agree with the reference on every differential input: likely equivalent mutants, not weak tests. */
    keepPossiblyEquivalent: z.boolean().default(true),
    /** Programs run at once (the verifier pool queues beyond its own size). */
    concurrency: z.number().int().positive().default(4),
    /** Seed of the mutant choice. */
    seed: z.number().int().default(11),
  })
  .strict();
export type CodeCheckConfig = z.input<typeof CodeCheckConfig>;

export type ReferenceFailure = { id: string; kind: OutcomeKind; passed: number; total: number; detail?: string };
/**
 * A problem with a mutant that passes every test. `confirmed`: true when a surviving mutant
 * and the reference disagree on a differential input (the tests are weak), false when every
 * checked survivor agreed on all of them (possibly an equivalent mutant), null when no
 * differential inputs could be made.
 */
export type WeakTest = {
  id: string;
  mutantsTried: number;
  survivors: number;
  confirmed: boolean | null;
  example: { operator: MutationOperator; line: number; before: string; after: string };
  /** The verifier's message for the differential input that told them apart. */
  witness?: string;
};
export type CodeCheckResult = {
  /** Problem indices to drop, ascending. */
  dropped: number[];
  /** Problems without a reference solution (checks skipped, kept). */
  noReference: string[];
  referenceFailures: ReferenceFailure[];
  weakTests: WeakTest[];
  /** Mutants run and killed over all problems, and mutants whose run was unscorable (timeout counts as killed). */
  mutants: { run: number; killed: number; unscorable: number; byOperator: Record<MutationOperator, { run: number; survived: number }> };
  /** Weak-test problems by confirmation: confirmed, possibly equivalent, unchecked. */
  weakTestCounts: { confirmed: number; possiblyEquivalent: number; unchecked: number };
};

/** Map over items with at most `limit` promises in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The span of a reference that is solution rather than given prompt, when the reference starts with the prompt. */
function regionOf(p: Problem): { region?: [number, number] } {
  const ref = p.reference!;
  return ref.startsWith(p.prompt) ? { region: [p.prompt.length, ref.length] } : {};
}

export async function checkCodeProblems(problems: readonly Problem[], runner: CodeRunner, config: CodeCheckConfig = {}): Promise<CodeCheckResult> {
  const cfg = CodeCheckConfig.parse(config);
  const result: CodeCheckResult = {
    dropped: [],
    noReference: [],
    referenceFailures: [],
    weakTests: [],
    weakTestCounts: { confirmed: 0, possiblyEquivalent: 0, unchecked: 0 },
    mutants: { run: 0, killed: 0, unscorable: 0, byOperator: { offByOne: { run: 0, survived: 0 }, swapComparison: { run: 0, survived: 0 }, swapArithmetic: { run: 0, survived: 0 }, dropBranch: { run: 0, survived: 0 } } },
  };
  const perProblem = await mapLimit(problems, cfg.concurrency, async (p, index) => {
    if (p.reference === undefined || p.language === undefined) return { index, kind: 'noReference' as const };
    const language = p.language;
    if (cfg.referenceCheck) {
      const v = await runner.run({ language, code: p.reference, tests: p.tests });
      if (v.kind !== 'correct') return { index, kind: 'refFail' as const, verdict: v };
    }
    if (cfg.mutantsPerProblem === 0 || language !== 'javascript') return { index, kind: 'ok' as const, runs: [] };
    const ms = mutants(p.reference, { max: cfg.mutantsPerProblem, seed: cfg.seed ^ index, operators: cfg.operators, ...regionOf(p) });
    const runs = await mapLimit(ms, 1, async (m) => ({ m, v: await runner.run({ language, code: m.code, tests: p.tests }) }));
    const survivors = runs.filter((x) => x.v.kind === 'correct').map((x) => x.m);
    const verdict = survivors.length > 0 ? await confirmWeak(p, survivors, runner, cfg, index) : null;
    return { index, kind: 'ok' as const, runs, verdict };
  });
  for (const r of perProblem) {
    const p = problems[r.index];
    if (r.kind === 'noReference') {
      result.noReference.push(p.id);
      continue;
    }
    if (r.kind === 'refFail') {
      const v = r.verdict;
      result.referenceFailures.push({ id: p.id, kind: v.kind, passed: v.passed, total: v.total, ...(v.detail !== undefined ? { detail: v.detail } : {}) });
      result.dropped.push(r.index);
      continue;
    }
    const survivors = r.runs.filter((x) => x.v.kind === 'correct');
    for (const { m, v } of r.runs) {
      result.mutants.run++;
      result.mutants.byOperator[m.operator].run++;
      if (v.kind === 'correct') result.mutants.byOperator[m.operator].survived++;
      else if (v.kind === 'error') result.mutants.unscorable++;
      else result.mutants.killed++;
    }
    if (survivors.length > 0 && r.verdict) {
      const { confirmed, mutant, witness } = r.verdict;
      const { operator, line, before, after } = mutant;
      result.weakTests.push({ id: p.id, mutantsTried: r.runs.length, survivors: survivors.length, confirmed, example: { operator, line, before, after }, ...(witness !== undefined ? { witness } : {}) });
      const key = confirmed === true ? 'confirmed' : confirmed === false ? 'possiblyEquivalent' : 'unchecked';
      result.weakTestCounts[key]++;
      if (cfg.dropWeakTests && !(confirmed === false && cfg.keepPossiblyEquivalent)) result.dropped.push(r.index);
    }
  }
  result.dropped.sort((a, b) => a - b);
  return result;
}

type Resolved = z.output<typeof CodeCheckConfig>;

/** Runs up to `survivorsChecked` survivors against differential inputs; the first that disagrees with the reference confirms. */
async function confirmWeak(p: Problem, survivors: Mutant[], runner: CodeRunner, cfg: Resolved, index: number): Promise<{ confirmed: boolean | null; mutant: Mutant; witness?: string }> {
  const tests = p.tests as { format?: string; cases?: string[] };
  const args = cfg.differentialInputs > 0 && p.entryPoint !== undefined && tests.format === 'assert' && Array.isArray(tests.cases) ? caseArguments(tests.cases) : null;
  const variants = args ? variantArguments(args, cfg.differentialInputs, cfg.seed ^ index) : [];
  if (variants.length === 0) return { confirmed: null, mutant: survivors[0] };
  const diffTests = { ...tests, cases: differentialCases(p.reference!, p.entryPoint!, variants) };
  let checked = 0;
  for (const m of survivors.slice(0, cfg.survivorsChecked)) {
    const v = await runner.run({ language: p.language!, code: m.code, tests: diffTests });
    if (v.kind === 'correct') {
      checked++;
      continue;
    }
    // Only an explicit disagreement counts; a time limit may be the reference's own loop.
    if (v.detail?.includes('reference and program differ')) return { confirmed: true, mutant: m, witness: v.detail };
  }
  return checked > 0 ? { confirmed: false, mutant: survivors[0] } : { confirmed: null, mutant: survivors[0] };
}
