// The math reward's public surface (issue 4): extraction, the pure in-process judge, the
// worker pool with a hard per-case deadline, and the gold-answer check used by curation.
// Everything else in this folder is an implementation detail of these.
export { extractAnswer, type Extraction } from './extract.ts';
export { canParseAnswer, judgeInput, judgeMath, MATH_RULES, type MathJudgement, type MathRule, type MathVerifyInput } from './judge.ts';
export { MathPoolConfig, MathVerifierPool, type MathVerdict } from './pool.ts';
