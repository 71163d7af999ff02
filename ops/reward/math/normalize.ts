// String-level normalization of one final answer before parsing: LaTeX spelling variants
// (`\dfrac`, `\left(`), spacing, `\text{}`/units, degrees, percent, dollar signs,
// thousands separators, multiple-choice letters. Pure string rewriting in linear passes;
// not a parser (see parse.ts) and it never decides equality on its own.

export type Normalized = {
  /** The rewritten answer, whitespace collapsed. */
  s: string;
  /** True when the whole answer is prose (`\text{Evelyn}`, `even`): compared as text. */
  text: boolean;
  /** True when a percent sign was dropped (`25\%` is also tried as 1/4 against a plain answer). */
  percent: boolean;
};

const SPACING = /\\\\|\\[!,:;> ]|\\q?quad\b|~/g;
const SIZING = /\\(?:big|Big|bigg|Bigg)[lrm]?(?![a-zA-Z])/g;
const TEXT_COMMANDS = /\\(?:text|textbf|textit|textrm|textnormal|mathrm|mathbf|mathit|mbox|textup|operatorname)\s*\{/g;
const UNIT_WORDS = new Set(
  ('cm mm m km in inch inches ft foot feet yd yard yards mile miles meter meters metre metres ' +
    'centimeter centimeters unit units sq square cubic degree degrees deg dollar dollars cent cents ' +
    'second seconds sec minute minutes min hour hours hr hrs day days week weeks year years mph kg g ' +
    'gram grams pound pounds lb lbs ounce ounces oz liter liters litre litres ml people students ' +
    'points ways times cups page pages').split(' '),
);

export function normalizeAnswer(raw: string): Normalized {
  let s = raw.trim();
  s = unwrapBoxed(s);
  s = s.replace(/^\$+|\$+$/g, '').replace(/^\\\(|\\\)$/g, '').replace(/^\\\[|\\\]$/g, '');
  s = s.replace(/\\\$/g, '').replace(/\$/g, '');
  s = s.replace(/\\(?:displaystyle|textstyle|scriptstyle)(?![a-zA-Z])/g, '');
  s = s.replace(/\\[dt]frac(?![a-zA-Z])/g, '\\frac').replace(/\\[dt]binom(?![a-zA-Z])/g, '\\binom');
  s = s.replace(/\\left\s*\.|\\right\s*\./g, '').replace(/\\(?:left|right)(?![a-zA-Z])/g, '');
  s = s.replace(SIZING, '');
  // Thousands separators `11,\!111` and `{,}` before spacing commands turn into spaces.
  s = s.replace(/(\d)\s*(?:\{,\}|,\\!)\s*(?=\d{3}(?!\d))/g, '$1');
  s = s.replace(SPACING, (m) => (m === '\\\\' ? m : ' '));
  // Degrees are dropped (`30^\circ` answers "30"), except inside trigonometry where they mean pi/180.
  const degree = /\\(?:sin|cos|tan|cot|sec|csc)(?![a-zA-Z])/.test(s) ? '\\cdot\\frac{\\pi}{180}' : '';
  s = s.replace(/\^\s*\{?\s*\\circ\s*\}?|°|\\degree(?![a-zA-Z])/g, degree);
  const percent = /%/.test(s);
  s = s.replace(/\\%|%/g, '');
  s = s.replace(/\\(?:dots|ldots|cdots)(?![a-zA-Z])/g, '\\dots');
  s = s.replace(/^\\mathbb\s*\{?R\}?$/, '(-\\infty,\\infty)');
  const textOnly = isTextOnly(s);
  s = rewriteText(s);
  s = s.replace(/\s+/g, ' ').trim();
  s = s.replace(/,(?:\s*,)+/g, ',');
  s = s.replace(/^[a-zA-Z]\s*\\in\s+/, '');
  s = s.replace(/[.;]+$/, '').trim();
  s = stripUnits(s);
  // Whole answer is one number written with thousands separators (`7,425,000`, `10 080`).
  if (/^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(s) || /^\d{1,3}(?: \d{3})+$/.test(s)) s = s.replace(/[, ]/g, '');
  // Multiple-choice letters: `(B)`, `\text{(B)}`, `B)`.
  const choice = /^\(?([A-E])\)$/.exec(s);
  if (choice) s = choice[1];
  // Bare prose: a word of 4+ letters (`even`, `east`) or a short answer word; `abc` stays a product.
  const text = textOnly || ((/^[A-Za-z][a-z]{3,}(?: [A-Za-z]+)*$/.test(s) || SHORT_WORDS.has(s.toLowerCase())) && !PLAIN_MATH_WORDS.test(s));
  return { s, text, percent };
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

function unwrapBoxed(s: string): string {
  const m = /^\\(?:boxed|fbox)\s*\{([\s\S]*)\}$/.exec(s);
  return m && balanced(m[1]) ? m[1].trim() : s;
}

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
