// String-level normalization of one final answer before parsing: LaTeX spelling variants
// (`\dfrac`, `\left(`), spacing, `\text{}`/units, degrees, percent, dollar signs,
// thousands separators, multiple-choice letters. Pure string rewriting in linear passes;
// not a parser (see parse.ts) and it never decides equality on its own.
import { allBoxed } from './extract.ts';

export type Normalized = {
  /** The rewritten answer, whitespace collapsed. */
  s: string;
  /** True when the whole answer is prose (`\text{Evelyn}`, `even`): compared as text. */
  text: boolean;
  /** True when a percent sign was dropped (`25\%` is also tried as 1/4 against a plain answer). */
  percent: boolean;
  /** True when a degree sign was dropped outside trigonometry (`45^\circ` is also tried as pi/4). */
  degrees?: boolean;
  /** A second reading, tried when the first does not match: `1000,99` with a decimal comma. */
  alt?: string;
};

const SPACING = /\\\\|\\[!,:;> ]|\\q?quad\b|~/g;
const SIZING = /\\(?:big|Big|bigg|Bigg)[lrm]?(?![a-zA-Z])/g;
const TEXT_COMMANDS = /\\(?:text|textbf|textit|textrm|textnormal|mathrm|mathbf|mathit|mbox|textup|operatorname)\s*\{/g;
const UNIT_WORDS = new Set(
  ('cm mm m km in inch inches ft foot feet yd yard yards mile miles meter meters metre metres ' +
    'centimeter centimeters unit units sq square cubic degree degrees deg dollar dollars cent cents ' +
    'second seconds sec minute minutes min hour hours hr hrs day days week weeks year years mph kg g ' +
    'gram grams pound pounds lb lbs ounce ounces oz liter liters litre litres ml people students ' +
    'points ways times cups page pages radian radians rad').split(' '),
);

export function normalizeAnswer(raw: string): Normalized {
  let s = raw.trim();
  // Golds as datasets store them: `\\dfrac` escaped twice, display environments around the answer.
  const undoubled = s.replace(DOUBLED_COMMAND, '\\');
  if (undoubled !== s) s = undoubled.replace(/(?<!\\)\\\\(?=[{}%$,!; ])/g, '\\');
  s = s.replace(/\\(?:begin|end)\s*\{(?:align|aligned|alignat|equation|eqnarray|gather|gathered|multline|split|displaymath)\*?\}/g, ' ').trim();
  s = boxedAnswer(s);
  s = s.replace(/^\$+|\$+$/g, '').replace(/^\\\(|\\\)$/g, '').replace(/^\\\[|\\\]$/g, '');
  s = s.replace(/\\\$/g, '').replace(/\$/g, '');
  // Percent in words at the end of the answer: `28 percent`, `28 pct`, `28 \text{ percent}`.
  s = s.replace(/^\\(?:text|mbox|mathrm)\s*\{\s*([-+]?[\d.]+)\s*(?:percent|per\s?cent|pct)\.?\s*\}\s*\.?$/i, '$1\\%');
  s = s.replace(/(\d)\s*\\(?:text|mbox|mathrm)\s*\{\s*(?:percent|per\s?cent|pct)\.?\s*\}\s*\.?$/i, '$1\\%');
  s = s.replace(/(\d)\s*(?:percent|per\s?cent|pct)\.?\s*$/i, '$1\\%');
  // Alignment marks of a display environment (`x &= 4`), and segment names labelling a value (`\overline{AB} = 5`).
  s = s.replace(/&\s*(?=[=<>]|\\(?:le|ge|leq|geq|ne|neq|approx)(?![a-zA-Z]))/g, '').replace(/\\overline\s*\{\s*([A-Z]{1,4})\s*\}(?=\s*=)/g, '$1');
  // `x \approx 11` states the value 11; angle names are labels (`\angle APC = 74^\circ`).
  // An approximation after an exact value (`\frac{22}{7} \approx 3.14`) is dropped; after a bare
  // variable (`x \approx 11`) or alone it is the value.
  s = s.replace(/^([\s\S]*?\S)\s*(?:\\approx(?![a-zA-Z])|≈)\s*[-+]?\d*\.?\d+\s*\.?$/, (m, lhs: string) => (/^[a-zA-Z](?:_\{?\w+\}?)?$/.test(lhs.trim()) || /^[$\s]*$/.test(lhs) ? m : lhs));
  s = s.replace(/\\approx(?![a-zA-Z])|≈/g, '=').replace(/(?:\bm\s*)?\\(?:angle|measuredangle)(?![a-zA-Z])\s*/g, '');
  s = s.replace(/\\(?:displaystyle|textstyle|scriptstyle)(?![a-zA-Z])/g, '');
  s = s.replace(/\\[dt]frac(?![a-zA-Z])/g, '\\frac').replace(/\\[dt]binom(?![a-zA-Z])/g, '\\binom');
  s = s.replace(/\\left\s*\.|\\right\s*\./g, '').replace(/\\(?:left|right)(?![a-zA-Z])/g, '');
  s = s.replace(SIZING, '');
  // Thousands separators `11,\!111` and `{,}` before spacing commands turn into spaces.
  s = s.replace(/(\d)\s*(?:\{,\}|,\\!)\s*(?=\d{3}(?!\d))/g, '$1');
  s = s.replace(SPACING, (m) => (m === '\\\\' ? m : ' '));
  // Degrees are dropped (`30^\circ` answers "30"), except inside trigonometry where they mean pi/180.
  const degree = /\\(?:sin|cos|tan|cot|sec|csc)(?![a-zA-Z])/.test(s) ? '\\cdot\\frac{\\pi}{180}' : '';
  const DEGREE_SIGN = /\^\s*\{?\s*\\circ\s*\}?|°|\\degree(?![a-zA-Z])/g;
  let degrees = degree === '' && DEGREE_SIGN.test(s);
  s = s.replace(DEGREE_SIGN, degree);
  const percent = /%/.test(s);
  s = s.replace(/\\%|%/g, '');
  s = s.replace(/\\(?:dots|ldots|cdots)(?![a-zA-Z])/g, '\\dots');
  s = s.replace(/^\\mathbb\s*\{?R\}?$/, '(-\\infty,\\infty)');
  const textOnly = isTextOnly(s);
  s = rewriteText(s);
  s = s.replace(/\s+/g, ' ').trim();
  // Prose around the value: `The answer is 5.`, `Answer: 5`, `so the final answer is 5`.
  s = s.replace(/\.?\s*I hope it is correct\.?$/i, '');
  for (let k = 0; k < 2; k++) s = s.replace(/^(?:(?:so|thus|therefore|hence)\s*,?\s*)?(?:the\s+)?(?:final\s+)?answer\s*(?:is\s*:?|:|=)\s*/i, '');
  s = s.replace(/^(?:approximately|approx\.?|about|around|roughly|nearly)\s+/i, '').replace(/^=\s*/, '');
  s = s.replace(/,(?:\s*,)+/g, ',');
  s = s.replace(/^[a-zA-Z]\s*\\in\s+/, '');
  s = s.replace(/[.;]+$/, '').trim();
  if (degree === '' && /\d\s*(?:degrees?|deg)\.?$/i.test(s)) degrees = true;
  s = stripUnits(s);
  // Whole answer is one number written with thousands separators (`7,425,000`, `10 080`).
  if (/^[-+]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?$/.test(s) || /^[1-9]\d{0,2}(?: \d{3})+$/.test(s)) s = s.replace(/[, ]/g, '');
  // Decimal commas where no thousands separator fits: `0,111` (a leading zero) is 0.111;
  // `1000,99` (not three digits after the comma) is also read as 1000.99, as a second reading,
  // since `1,5` may be a list; `7,425` stays 7425.
  let alt: string | undefined;
  if (/^[-+]?0,\d+$/.test(s)) s = s.replace(',', '.');
  else if (/^[-+]?\d+,(?:\d{1,2}|\d{4,})$/.test(s)) alt = s.replace(',', '.');
  // Multiple-choice letters: `(B)`, `\text{(B)}`, `B)`.
  const choice = /^\(?([A-E])\)$/.exec(s);
  if (choice) s = choice[1];
  // Bare prose: a word of 4+ letters (`even`, `east`) or a short answer word; `abc` stays a product.
  const text = textOnly || ((/^[A-Za-z][a-z]{3,}(?: [A-Za-z]+)*$/.test(s) || SHORT_WORDS.has(s.toLowerCase())) && !PLAIN_MATH_WORDS.test(s));
  return { s, text, percent, ...(degrees ? { degrees } : {}), ...(alt !== undefined ? { alt } : {}) };
}

const SHORT_WORDS = new Set(['odd', 'yes', 'no', 'all']);
const PLAIN_MATH_WORDS = /\b(?:sqrt|pi|sin|cos|tan|cot|sec|csc|log|ln|exp|inf|infinity|oo|and|or)\b/;

/** Removes all whitespace except where it separates a command from a following letter. */
export function compact(s: string): string {
  return s.replace(/(\\[a-zA-Z]+)\s+(?=[a-zA-Z])/g, '$1\u0001').replace(/\s+/g, '').replace(/\u0001/g, ' ');
}

/** Lower-case letters and digits only: the form text answers are compared in. */
export function textKey(s: string): string {
  return s
    .replace(/\\[a-zA-Z]+\s*\{([^{}]*)\}/g, '$1')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/**
 * The boxed part of an answer, as a prediction's is found: a whole answer in one box is
 * unwrapped; boxes inside prose (a gold that is a whole solution) give the last box; boxes
 * joined only by separators (`\boxed{2} and \boxed{5}`) give the list of their contents.
 * Anything else (`\boxed{2}+1`) stays as written.
 */
function boxedAnswer(s: string): string {
  const m = /^\\(?:boxed|fbox)\s*\{([\s\S]*)\}$/.exec(s);
  if (m && balanced(m[1])) return m[1].trim();
  if (!/\\(?:boxed|fbox)(?![a-zA-Z])/.test(s)) return s;
  const { contents, outside } = allBoxed(s);
  if (contents.length === 0) return s;
  const separator = /^[\s$,;.]*(?:(?:\\text\s*\{\s*(?:and|or)?\s*\}|\band\b|\bor\b)[\s$,;.]*)?$/i;
  if (contents.length > 1 && outside.slice(1, -1).every((o) => separator.test(o)) && /^[\s$]*$/.test(outside[0]) && /^[\s$.]*$/.test(outside[outside.length - 1])) {
    return contents.join(', ');
  }
  // The last box, unless the expression goes on after it (`\boxed{2}+1`).
  return /^\s*(?:[-+*/^_0-9]|\\(?:cdot|times|div|frac|sqrt)(?![a-zA-Z]))/.test(outside[outside.length - 1]) ? s : contents[contents.length - 1];
}

/** `\\frac` (a command with its backslash escaped twice, as some datasets store golds). */
const DOUBLED_COMMAND = new RegExp(
  String.raw`(?<!\\)\\\\(?=(?:${'d?frac|tfrac|sqrt|pi|boxed|fbox|text|textbf|mathrm|mathbf|left|right|cdot|times|div|infty|le|leq|ge|geq|ne|neq|pm|mp|circ|cup|cap|in|begin|end|dfrac|binom|dbinom|sin|cos|tan|log|ln|exp|alpha|beta|gamma|theta|lambda|mu|sigma|omega|phi|angle|approx|emptyset|varnothing|dots|ldots|cdots|overline|sqrt|mathbb|quad'})(?![a-zA-Z]))`,
  'g',
);

function balanced(s: string): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '{') depth++;
    else if (s[i] === '}' && --depth < 0) return false;
  }
  return depth === 0;
}

/** The answer is one `\text{...}` of words, like `\text{Evelyn}` or `\text{east}`. */
function isTextOnly(s: string): boolean {
  const m = /^\\(?:text|textbf|textit|textrm|mbox|mathrm)\s*\{([^{}\\]*)\}$/.exec(s.trim());
  return m !== null && /[a-zA-Z]{2,}/.test(m[1]) && !/^\s*\(?[A-E]\)?\s*$/.test(m[1]);
}

/**
 * `\text{...}` and friends: connectives (`and`, `or`) become commas; word groups after
 * some math are units or annotations and are dropped (with a following `^2`); anything
 * else is unwrapped to its content.
 */
function rewriteText(s: string): string {
  let out = '';
  let last = 0;
  TEXT_COMMANDS.lastIndex = 0;
  for (let m = TEXT_COMMANDS.exec(s); m; m = TEXT_COMMANDS.exec(s)) {
    const open = m.index + m[0].length - 1;
    const close = matchingBrace(s, open);
    if (close < 0) break;
    const content = s.slice(open + 1, close);
    const before = out + s.slice(last, m.index);
    let after = close + 1;
    if (/^[\s,]*(?:and|or)?[\s,]*$/i.test(content) && /\S/.test(content)) {
      out = before + ',';
    } else if (/^[\sa-zA-Z.]*$/.test(content) && /[a-zA-Z]/.test(content) && /[0-9}a-zA-Z)]\s*$/.test(before)) {
      const power = /^\s*\^\s*(?:\{\s*[23]\s*\}|[23])/.exec(s.slice(after));
      if (power) after += power[0].length;
      out = before;
    } else {
      out = before + content;
    }
    last = after;
    TEXT_COMMANDS.lastIndex = after;
  }
  return out + s.slice(last);
}

function matchingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '{') depth++;
    else if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** Trailing unit words after a number or expression: `5 cm`, `12 square units`, `30 degrees`. */
function stripUnits(s: string): string {
  const words = s.split(' ');
  let keep = words.length;
  while (keep > 1 && UNIT_WORDS.has(words[keep - 1].replace(/\^\{?[23]\}?$/, '').toLowerCase())) keep--;
  if (keep === words.length || !/[0-9}a-zA-Z)]$/.test(words[keep - 1])) return s;
  return words.slice(0, keep).join(' ');
}
