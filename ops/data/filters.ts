// Problem filters: each is a named predicate that says why a problem is unfit for RL with
// a binary verifiable reward (AceReason-Nemotron §3.2.1: multiple choice, true/false,
// proofs, multi-part questions, figure references, non-English text, over-long or
// complex answers, too-short prompts, and gold answers the math verifier cannot parse).
// Heuristics on text, tuned on MATH/AIME; deliberately not a classifier.
import { z } from 'zod';
import type { Domain, Problem } from './task.ts';

export const FilterName = z.enum([
  'multipleChoice',
  'trueFalse',
  'proof',
  'multiPart',
  'figure',
  'nonEnglish',
  'longAnswer',
  'complexAnswer',
  'shortPrompt',
  'unparseableAnswer',
]);
export type FilterName = z.infer<typeof FilterName>;

export const FilterConfig = z
  .object({
    /** Filters to run, in report order (all by default; unparseableAnswer needs an AnswerChecker). */
    enabled: z.array(FilterName).default([...FilterName.options]),
    /** Gold answers longer than this (characters, spaces and \left/\right removed) are dropped. */
    maxAnswerChars: z.number().int().positive().default(40),
    /** Gold answers with more top-level comma-separated parts than this are complex. */
    maxAnswerParts: z.number().int().positive().default(3),
    /** Prompts shorter than this (characters, trimmed) are dropped. */
    minPromptChars: z.number().int().nonnegative().default(12),
    /** Also drop problems that carry their figure as [asy] code (kept by default: the code is text). */
    dropAsymptote: z.boolean().default(false),
    /** Share of letters outside math that may be non-Latin before a prompt counts as non-English. */
    maxNonLatinShare: z.number().min(0).max(1).default(0.2),
  })
  .strict();
export type FilterConfig = z.input<typeof FilterConfig>;
type FilterResolved = z.output<typeof FilterConfig>;

/** Decides whether a gold answer is something the math verifier can read (ops/reward/math). */
export interface AnswerChecker {
  canParse(latex: string): boolean;
}

export type FilterContext = { config: FilterResolved; checker?: AnswerChecker };
type FilterFn = (p: Problem, ctx: FilterContext) => boolean;
type FilterDef = { domains: readonly Domain[]; test: FilterFn };

/** Prompt text with math segments and [asy] blocks removed: the prose a reader sees. */
export function prose(text: string): string {
  return text
    .replace(/\[asy\][\s\S]*?(\[\/asy\]|$)/g, ' ')
    .replace(/\\begin\{([a-z*]+)\}[\s\S]*?\\end\{\1\}/g, ' ')
    .replace(/\$\$[^$]*\$\$|\$[^$]*\$|\\\[[\s\S]*?\\\]|\\\([\s\S]*?\\\)/g, ' ')
    .replace(/\\[A-Za-z]+/g, ' ');
}

function answerCore(answer: string): string {
  return answer.replace(/\\left|\\right|\\!|\\,|\s+/g, '');
}

/** Top-level comma-separated parts of an answer (commas inside (), [], {} do not split). */
export function answerParts(answer: string): number {
  let depth = 0;
  let parts = 1;
  for (const c of answerCore(answer)) {
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) parts++;
  }
  return parts;
}

const ENGLISH_FUNCTION_WORDS = new Set(['the', 'of', 'and', 'a', 'an', 'to', 'is', 'in', 'that', 'what', 'find', 'if', 'for', 'are', 'be', 'how', 'many', 'with', 'let', 'which', 'by', 'on', 'as', 'its', 'this', 'it', 'from', 'at', 'has', 'have', 'there', 'given', 'when', 'where', 'than', 'then', 'can', 'do', 'does', 'all', 'such', 'or', 'not', 'you', 'your', 'we', 'he', 'she', 'they', 'function', 'return', 'write', 'number', 'list', 'each']);

// Lettered options (A) through (D) at least, as AMC-style choices are written.
// A reference to a picture the text does not carry ("in the diagram", "shown below").
const FIGURE_REFERENCE =
  /\b(?:in|from|of|on) the (?:figure|diagram|picture|image)s?\b|\b(?:figure|diagram|picture|image|graph)s? (?:below|above|shown|at right|to the right)\b|\b(?:shown|pictured|drawn|depicted|graphed) (?:below|above|here|at right|on the right|in the)\b|\bas shown\b|\bthe (?:adjoining|accompanying|following) (?:figure|diagram|picture)\b/i;

const OPTION_LABELS = /\(A\)[\s\S]*\(B\)[\s\S]*\(C\)[\s\S]*\(D\)/;
// An answer that is only words (\text{Monday}, even): string-matched, not verified.
const TEXT_ANSWER = /^(?:\\(?:text|mbox|textbf|mathrm)\{\s*[A-Za-z][A-Za-z ]{3,}\}|[A-Za-z]{4,}(?:\s+[A-Za-z]+)*)$/;

const FILTERS: Record<FilterName, FilterDef> = {
  multipleChoice: {
    domains: ['math'],
    test: (p) =>
      OPTION_LABELS.test(p.prompt.replace(/\[asy\][\s\S]*?(\[\/asy\]|$)/g, ' ')) ||
      /\benter the letters?\b|\bwhich of the following\b/i.test(p.prompt) ||
      /^\\(?:text|mathrm|textbf)\{\s*\(?[A-E]\)?\s*\}$|^\([A-E]\)$/.test((p.answer ?? '').trim()),
  },
  trueFalse: {
    domains: ['math'],
    test: (p) =>
      /\btrue or false\b|\byes or no\b/i.test(p.prompt) ||
      /^(?:\\text\{\s*)?(?:true|false|yes|no)(?:\s*\})?$/i.test((p.answer ?? '').trim()),
  },
  // "Prove ..." anywhere, or an imperative "Show/Demonstrate that" opening a sentence.
  proof: { domains: ['math'], test: (p) => /\bprove\b/i.test(prose(p.prompt)) || /(?:^|[.!?:]\s+)(?:show|demonstrate|explain why) /i.test(prose(p.prompt).trim()) },
  multiPart: {
    // Enumerated sub-questions: "(a) ... (b)" or "(i) ... (ii)" as labels at a line or sentence start.
    domains: ['math'],
    test: (p) =>
      /(?:^|\n|[.?:]\s+)\((?:a|i)\)\s[\s\S]*(?:^|\n|[.?:;]\s+)\((?:b|ii)\)\s/.test(p.prompt) || /\bpart \(?[ab]\)?\b/i.test(prose(p.prompt)),
  },
  figure: {
    domains: ['math', 'code'],
    test: (p, { config }) => {
      const embedded = /\[asy\]|\\begin\{(?:tabular|array|tikzpicture)\}/.test(p.prompt);
      if (embedded) return config.dropAsymptote;
      return FIGURE_REFERENCE.test(prose(p.prompt));
    },
  },
  nonEnglish: {
    domains: ['math', 'code'],
    test: (p, { config }) => {
      const text = prose(p.prompt);
      const letters = text.match(/\p{L}/gu) ?? [];
      if (letters.length === 0) return false;
      const nonLatin = letters.filter((c) => !/\p{Script=Latin}/u.test(c)).length;
      if (nonLatin / letters.length > config.maxNonLatinShare) return true;
      const words = (text.toLowerCase().match(/\p{L}+/gu) ?? []).filter((w) => w.length > 1);
      return words.length >= 10 && !words.some((w) => ENGLISH_FUNCTION_WORDS.has(w));
    },
  },
  longAnswer: { domains: ['math'], test: (p, { config }) => answerCore(p.answer ?? '').length > config.maxAnswerChars },
  complexAnswer: {
    domains: ['math'],
    test: (p, { config }) => answerParts(p.answer ?? '') > config.maxAnswerParts || TEXT_ANSWER.test((p.answer ?? '').trim()),
  },
  shortPrompt: { domains: ['math', 'code'], test: (p, { config }) => p.prompt.trim().length < config.minPromptChars },
  unparseableAnswer: { domains: ['math'], test: (p, { checker }) => checker !== undefined && !checker.canParse(p.answer ?? '') },
};

/** Names of every enabled filter that matches the problem, in config order (empty = keep). */
export function matchFilters(p: Problem, ctx: FilterContext): FilterName[] {
  const out: FilterName[] = [];
  for (const name of ctx.config.enabled) {
    const f = FILTERS[name];
    if (f.domains.includes(p.domain) && f.test(p, ctx)) out.push(name);
  }
  return out;
}

export function resolveFilterConfig(config: FilterConfig = {}): FilterResolved {
  return FilterConfig.parse(config);
}
