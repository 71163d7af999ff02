// The code verifier's data: test formats (zod, the wire shape other parts send), limits
// (zod config with defaults) and the verdict. Pure types; no execution happens here.
import { z } from 'zod';
import type { OutcomeKind } from '../../../contracts/outcome.ts';
import { CodedError } from '../../errors.ts';

/** A dotted entry point: `name`, `obj.name`, or `Class().method` (instantiate, then call). */
const ENTRY_RE = /^[A-Za-z_$][\w$]*(\(\))?(\.[A-Za-z_$][\w$]*)*$/;

export const StdioCase = z.object({
  /** Bytes fed to stdin. */
  input: z.string(),
  /** Expected stdout, compared as a judge does (see compare.ts). */
  output: z.string(),
});
export type StdioCase = z.infer<typeof StdioCase>;

export const FunctionCase = z.object({
  /** Positional arguments (array) or keyword arguments (object, Python only). */
  args: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]),
  /** The JSON value the call must return. */
  expected: z.unknown(),
});
export type FunctionCase = z.infer<typeof FunctionCase>;

export const StdioTests = z.object({
  format: z.literal('stdio'),
  cases: z.array(StdioCase).min(1),
});
export const FunctionTests = z.object({
  format: z.literal('function'),
  /** Entry point, e.g. `twoSum` or `Solution().twoSum`. */
  fnName: z.string().regex(ENTRY_RE),
  /** Code run before the program (imports, helper classes). */
  prelude: z.string().default(''),
  cases: z.array(FunctionCase).min(1),
});
export const AssertTests = z.object({
  format: z.literal('assert'),
  /** Language the test code is written in; a program in another language fails. */
  language: z.enum(['javascript', 'python']).optional(),
  /** Code run before the program (imports, helper classes). */
  prelude: z.string().default(''),
  /** Code run after the program and before the cases (e.g. `candidate = Solution().f`). */
  setup: z.string().default(''),
  /** Each case is a snippet that throws (AssertionError / any throw) when the program is wrong. */
  cases: z.array(z.string()).min(1),
});

/** The three test formats, discriminated by `format`. */
export const CodeTests = z.discriminatedUnion('format', [StdioTests, FunctionTests, AssertTests]);
export type CodeTests = z.infer<typeof CodeTests>;
export type CodeTestsInput = z.input<typeof CodeTests>;

export const Language = z.enum(['javascript', 'python']);
export type Language = z.infer<typeof Language>;

export const CodeLimits = z.object({
  /** Wall-clock limit of one test case, ms (default 4000). Python also gets an RLIMIT_CPU of the total. */
  perTestMs: z.number().int().positive().default(4000),
  /** Wall-clock limit of all test cases of one program together, ms (default 20000). */
  totalMs: z.number().int().positive().default(20_000),
  /** JavaScript isolate heap limit, MiB (default 128; isolated-vm's minimum is 8). */
  jsMemoryMb: z.number().int().min(8).default(128),
  /** Python address-space limit (RLIMIT_AS) of one program, MiB (default 1024). */
  pyMemoryMb: z.number().int().min(64).default(1024),
  /** Cap on captured stdout of one test, bytes (default 4 MiB); more is an output-limit runtime error. */
  outputBytes: z.number().int().positive().default(4 * 1024 * 1024),
  /** Python: processes/threads the program may have at once (RLIMIT_NPROC, default 16). */
  maxProcs: z.number().int().min(2).default(16),
  /** Python: largest file the program may write (RLIMIT_FSIZE), bytes (default 16 MiB). */
  fileBytes: z.number().int().positive().default(16 * 1024 * 1024),
  /** Python: size of the sandbox's private /tmp (tmpfs), bytes (default 64 MiB). */
  tmpBytes: z.number().int().positive().default(64 * 1024 * 1024),
});
export type CodeLimits = z.infer<typeof CodeLimits>;
export type CodeLimitsInput = z.input<typeof CodeLimits>;

/**
 * Why a program failed a test. unsupported_module: the program used a Node built-in (or a part
 * of one, like crypto.randomBytes) the JavaScript sandbox does not provide; the detail names it.
 * The verdict is still `wrong` (reward 0), its reason says which module.
 */
export const FailureReason = z.enum(['wrong_answer', 'time_limit', 'memory_limit', 'runtime_error', 'compile_error', 'unsupported_module']);
export type FailureReason = z.infer<typeof FailureReason>;

export type FirstFailure = {
  /** Index of the failing test case (0-based; 0 when the program fails before any test). */
  test: number;
  reason: FailureReason;
  /** Excerpts (at most EXCERPT_CHARS) of what was expected and what the program produced. */
  expected?: string;
  actual?: string;
  /** One line of why: the exception, the signal, or which limit. */
  detail?: string;
  /** unsupported_module only: the Node built-in module the program used (`crypto`, `child_process`). */
  module?: string;
};

export type CodeTimings = {
  /** Time waiting for a free worker, ms. */
  queueMs: number;
  /** Time running the program against its tests, ms. */
  runMs: number;
  /** queue + run, ms. */
  totalMs: number;
};

/** Outcome of one program against its tests: data, never an exception. */
export type CodeVerdict = {
  kind: OutcomeKind;
  reward: 1 | 0 | null;
  language: Language | null;
  /** Number of test cases that passed before the first failure (all of them when correct). */
  passed: number;
  total: number;
  firstFailure: FirstFailure | null;
  /**
   * Why the verdict is unparseable or error (extraction, bad tests, infrastructure), or, for a
   * `wrong` verdict whose first failure is unsupported_module, which module the sandbox lacks.
   */
  reason?: string;
  timings: CodeTimings;
};

export const EXCERPT_CHARS = 200;

export function excerpt(s: string, chars = EXCERPT_CHARS): string {
  return s.length <= chars ? s : `${s.slice(0, chars)}…(${s.length} chars)`;
}

/** What a language runner reports for one program (the pool adds kind, reward, timings). */
export type RunResult = {
  passed: number;
  total: number;
  firstFailure: FirstFailure | null;
  /** Set when the runner itself could not judge (infrastructure, not the program). */
  infraError?: { kind: 'timeout' | 'error'; reason: string };
};

export class CodeVerifierError extends CodedError<'sandbox_unavailable' | 'closed' | 'bad_input'> {}
