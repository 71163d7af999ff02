// Evaluation metrics as the paper reports them: avg@k (pass@1 averaged over k samples per
// problem) and the unbiased pass@k estimator 1 - C(n-c, k) / C(n, k) (Chen et al., 2021),
// computed as a running product so large n does not overflow.

/** Unbiased pass@k for one problem with n samples of which c are correct. */
export function passAtK(n: number, c: number, k: number): number {
  if (k > n) throw new RangeError(`pass@${k} needs at least ${k} samples, got ${n}`);
  if (n - c < k) return 1;
  let missAll = 1;
  for (let i = n - c + 1; i <= n; i++) missAll *= 1 - k / i;
  return 1 - missAll;
}

export interface ProblemResult {
  id: string;
  /** One entry per sample: correct or not. Unscorable samples count as not correct. */
  correct: boolean[];
}

export interface EvalSummary {
  problems: number;
  samplesPerProblem: number;
  /** Mean over problems of the fraction of correct samples. */
  avgAtK: number;
  /** Mean over problems of unbiased pass@k. */
  passAtK: number;
  k: number;
}

export function summarize(results: readonly ProblemResult[], k: number): EvalSummary {
  if (results.length === 0) throw new RangeError('no problems to summarize');
  const n = results[0].correct.length;
  for (const r of results) if (r.correct.length !== n) throw new RangeError(`problem ${r.id} has ${r.correct.length} samples, expected ${n}`);
  let avg = 0;
  let pass = 0;
  for (const r of results) {
    const c = r.correct.filter(Boolean).length;
    avg += c / n;
    pass += passAtK(n, c, k);
  }
  return { problems: results.length, samplesPerProblem: n, avgAtK: avg / results.length, passAtK: pass / results.length, k };
}
