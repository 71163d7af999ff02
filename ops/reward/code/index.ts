// The code reward's public surface: the pool (verify/close), extraction, the test formats
// and verdict types, and the dataset loaders. Import from here rather than from the parts.
export { CodeVerifierPool, type CodeVerifierPoolOptions, type VerifyInput } from './pool.ts';
export { extractCode, normalizeLanguage, type Extraction } from './extract.ts';
export { outputsMatch, canonicalDecimal } from './compare.ts';
export {
  CodeTests,
  CodeLimits,
  FailureReason,
  Language,
  StdioTests,
  FunctionTests,
  AssertTests,
  CodeVerifierError,
  type CodeVerdict,
  type FirstFailure,
  type CodeTimings,
  type CodeTestsInput,
  type CodeLimitsInput,
} from './types.ts';
export { sandboxProblem, sandboxCommand } from './py-runner.ts';
export {
  CODE_DATASETS,
  LEETCODE_PRELUDE,
  loadMbjsp,
  loadMbjspPassIds,
  mbjspNumber,
  loadLeetCodeV031Test,
  loadLeetCodeContest2023,
  loadCodeContestsTest,
  brokenVariant,
  wrongProgram,
  type CodeProblem,
} from './datasets.ts';
