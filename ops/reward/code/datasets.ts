// Loaders that map the shared code datasets into CodeTests (and reference solutions where a
// set has them): MBJSP (JavaScript asserts), LeetCodeDataset v0.3.1 test and the LeetCode
// contest 2023 set (Python asserts), CodeContests (stdio). Plus a deliberately broken variant
// of a reference, for checking that tests can fail. Not a curation pipeline (see ops/data).
import { datasetPath, readRows } from '../../datasets.ts';
import { CodeTests, type Language } from './types.ts';

export const CODE_DATASETS = {
  mbjsp: 'code/mbjsp.jsonl.gz',
  mbjspPassIds: 'code/mbjsp_canonical_pass_ids.json',
  leetcodeV031Test: 'code/leetcodedataset_v0.3.1_test.jsonl.gz',
  leetcodeContest2023: 'code/leetcode_contest_2023.jsonl.gz',
  codeContestsTest: 'code/code_contests_test.json.gz',
} as const;

export type CodeProblem = {
  id: string;
  source: 'mbjsp' | 'leetcode-v0.3.1-test' | 'leetcode-contest-2023' | 'code-contests-test';
  language: Language;
  /** The problem statement as the dataset gives it (for prompts). */
  prompt: string;
  tests: CodeTests;
  /** A reference solution (full program), or null when the set ships none. */
  reference: string | null;
  /** Function-style sets: the entry called by the tests (`minCost`, `Solution().maxScore`). */
  entryPoint: string | null;
};

/**
 * The prelude LeetCode-style Python solutions expect (as LiveCodeBench's harness provides):
 * star imports of the usual modules and the ListNode/TreeNode helpers. Used for sets whose
 * rows do not carry their own.
 */
export const LEETCODE_PRELUDE = `import collections, functools, heapq, bisect, itertools, math, string, operator, random, re, datetime
from typing import *
from collections import *
from functools import *
from itertools import *
from heapq import *
from bisect import *
from math import *
from string import *
from operator import *
inf = float('inf')

class ListNode:
    def __init__(self, val=0, next=None):
        self.val = val
        self.next = next

class TreeNode:
    def __init__(self, val=0, left=None, right=None):
        self.val = val
        self.left = left
        self.right = right
`;

function mustPath(rel: string): string {
  const p = datasetPath(rel);
  if (!p) throw new Error(`dataset ${rel} not found (set ACE_DATASETS)`);
  return p;
}

type MbjspRow = { task_id: string; prompt: string; entry_point: string; test: string; description: string; canonical_solution: string | null };

/** Numeric id of an MBJSP task ('MBJSP/12' -> 12), as the pass-id list uses. */
export function mbjspNumber(id: string): number {
  return Number(id.slice(id.indexOf('/') + 1));
}

/**
 * MBJSP rows as assert tests: the lodash/compare header becomes `setup`, each
 * `var argN0 = ...; if (!compare(xN, vN)) throw` block one case. The upstream failure message
 * reads an undefined `x` (a ReferenceError instead of the intended throw); the loader points
 * it at the block's own `xN` so that a failing case reads as a wrong answer.
 */
export function loadMbjsp(): CodeProblem[] {
  return readRows<MbjspRow>(mustPath(CODE_DATASETS.mbjsp)).map((r) => {
    const [setup, ...blocks] = r.test.split(/\n(?=var arg\d+0 = )/);
    const cases = blocks.map((b) => {
      const m = /var (x\d+) = /.exec(b);
      return m ? b.replace(/JSON\.stringify\(x\)/g, `JSON.stringify(${m[1]})`) : b;
    });
    return {
      id: r.task_id,
      source: 'mbjsp',
      language: 'javascript',
      prompt: r.prompt,
      tests: CodeTests.parse({ format: 'assert', language: 'javascript', setup, cases }),
      reference: r.canonical_solution === null ? null : r.prompt + r.canonical_solution,
      entryPoint: r.entry_point,
    };
  });
}

/** The MBJSP task numbers whose canonical solution passes its own tests under node. */
export function loadMbjspPassIds(): Set<number> {
  return new Set(readRows<number>(mustPath(CODE_DATASETS.mbjspPassIds)));
}

type LeetCodeRow = { task_id: string; prompt: string; completion: string; entry_point: string; test: string; query: string };

/** Splits the body of `def check(candidate):` into one case per top-level statement. */
export function splitCheckBody(test: string): string[] {
  const lines = test.split('\n');
  const start = lines.findIndex((l) => /^def check\(candidate\):/.test(l));
  const cases: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '') continue;
    const body = line.startsWith('    ') ? line.slice(4) : line;
    if (/^\S/.test(body) || cases.length === 0) cases.push(body);
    else cases[cases.length - 1] += `\n${body}`;
  }
  return cases;
}

/** LeetCodeDataset v0.3.1 test: the row's own prelude, `candidate = <entry>`, one case per assert. */
export function loadLeetCodeV031Test(): CodeProblem[] {
  return readRows<LeetCodeRow>(mustPath(CODE_DATASETS.leetcodeV031Test)).map((r) => ({
    id: r.task_id,
    source: 'leetcode-v0.3.1-test',
    language: 'python',
    prompt: r.query,
    tests: CodeTests.parse({ format: 'assert', language: 'python', prelude: r.prompt, setup: `candidate = ${r.entry_point}`, cases: splitCheckBody(r.test) }),
    reference: r.completion,
    entryPoint: r.entry_point,
  }));
}

type ContestRow = { task_id: string; prompt: string; prompt_sft: string; test: string };

/**
 * Splits a contest test script: statements before the first `test_input` are setup
 * (`my_solution = Solution()`, helper lambdas); each case runs up to and including its assert.
 */
export function splitContestTest(test: string): { setup: string; cases: string[] } {
  const setup: string[] = [];
  const cases: string[] = [];
  let current: string[] = [];
  for (const line of test.split('\n')) {
    if (line.trim() === '') continue;
    if (cases.length === 0 && current.length === 0 && !line.startsWith('test_input') && !line.startsWith('assert')) {
      setup.push(line);
      continue;
    }
    current.push(line);
    if (line.startsWith('assert')) {
      cases.push(current.join('\n'));
      current = [];
    }
  }
  return { setup: setup.join('\n'), cases };
}

/** LeetCode contests Jul 2023 - Jan 2024 (no solutions); the standard prelude is supplied. */
export function loadLeetCodeContest2023(): CodeProblem[] {
  return readRows<ContestRow>(mustPath(CODE_DATASETS.leetcodeContest2023)).map((r) => {
    const { setup, cases } = splitContestTest(r.test);
    const method = /my_solution\.(\w+)\(/.exec(r.test)?.[1] ?? null;
    return {
      id: r.task_id,
      source: 'leetcode-contest-2023',
      language: 'python',
      prompt: r.prompt_sft,
      tests: CodeTests.parse({ format: 'assert', language: 'python', prelude: LEETCODE_PRELUDE, setup, cases }),
      reference: null,
      entryPoint: method ? `Solution().${method}` : null,
    };
  });
}

type ContestsRow = { problem: string; tests: { inputs: string[]; outputs: string[] } };

/** CodeContests test split: stdio cases, no solutions; ids are the row index. */
export function loadCodeContestsTest(): CodeProblem[] {
  return readRows<ContestsRow>(mustPath(CODE_DATASETS.codeContestsTest)).map((r, i) => ({
    id: `code_contests_test/${i}`,
    source: 'code-contests-test',
    language: 'python',
    prompt: r.problem,
    tests: CodeTests.parse({ format: 'stdio', cases: r.tests.inputs.map((input, k) => ({ input, output: r.tests.outputs[k] })) }),
    reference: null,
    entryPoint: null,
  }));
}

/**
 * A deliberately broken variant of a function-style reference: the entry's results are
 * perturbed (numbers +1, booleans negated, strings and lists extended, None/null -> 0,
 * other objects -> None/null), so every test that checks the result must fail.
 */
export function brokenVariant(reference: string, language: Language, entryPoint: string): string {
  if (language === 'javascript') {
    return `${reference}
;${entryPoint} = ((orig) => function (...a) {
  const r = orig.apply(this, a);
  if (typeof r === 'number') return r + 1;
  if (typeof r === 'boolean') return !r;
  if (typeof r === 'string') return r + 'x';
  if (Array.isArray(r)) return r.concat([r.length ? r[0] : 0]);
  if (r === null || r === undefined) return 0;
  return null;
})(${entryPoint});
`;
  }
  const m = /^(\w+)\(\)\.(\w+)$/.exec(entryPoint);
  const [owner, name] = m ? [m[1], m[2]] : [null, entryPoint];
  const target = owner ? `${owner}.${name}` : name;
  return `${reference}

def __ace_perturb(r):
    if isinstance(r, bool): return not r
    if isinstance(r, (int, float)): return r + 1
    if isinstance(r, str): return r + 'x'
    if isinstance(r, list): return r + [r[0] if r else 0]
    if isinstance(r, tuple): return r + (0,)
    if r is None: return 0
    return None

def __ace_wrap(orig):
    def broken(*a, **k):
        return __ace_perturb(orig(*a, **k))
    return broken

${target} = __ace_wrap(${target})
`;
}

/** A program that is wrong for (almost) any test: answers nothing useful. */
export function wrongProgram(problem: CodeProblem): string {
  // A token no judge answer contains (a plain `-1` is the right answer to some cases).
  if (problem.tests.format === 'stdio') return problem.language === 'python' ? "print('ace-wrong-answer')" : "console.log('ace-wrong-answer')";
  const m = /^(\w+)\(\)\.(\w+)$/.exec(problem.entryPoint ?? '');
  if (problem.language === 'python') {
    return m ? `class ${m[1]}:\n    def ${m[2]}(self, *args, **kwargs):\n        return None\n` : `def ${problem.entryPoint}(*args, **kwargs):\n    return None\n`;
  }
  return m ? `class ${m[1]} { ${m[2]}() { return null; } }` : `function ${problem.entryPoint}() { return null; }`;
}
