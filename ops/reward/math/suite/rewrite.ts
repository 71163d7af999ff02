// A different but mathematically equal spelling of a gold answer (`\frac{a}{b}` -> `(a)/(b)`,
// `0.5` -> `(5)/(10)`, `12` -> `(24)/2`, `\sqrt{x}` -> `sqrt(x)`, `\pi` -> `pi`, thousands
// separators dropped), for checking the math verifier, not part of it: the tests check every
// dataset gold answer against itself rewritten, and the math-verifier bench times such pairs.
// Not a general rewriter: rules are textual and local.

export type Rewriting = { text: string; rules: string[] };

export function rewriteAnswer(gold: string): Rewriting {
  const rules: string[] = [];
  let s = gold;
  const apply = (rule: string, next: string) => {
    if (next !== s) {
      rules.push(rule);
      s = next;
    }
  };
  apply('thousands', s.replace(/(\d)(?:,\\!\s*|\{,\})(?=\d{3})/g, '$1'));
  if (/^\d{1,3}(?:,\d{3})+$/.test(s.trim())) apply('thousands', s.replace(/,/g, ''));
  apply('dollar', s.replace(/^\\\$\s*/, ''));
  if (/^\d{1,3}(?:,\d{3})+$/.test(s.trim())) apply('thousands', s.replace(/,/g, ''));
  apply('mixed', s.replace(/(?<![\d.])(\d+)\s*\\[dt]?frac(\d)(\d)/g, '($1 + $2/$3)'));
  apply('mixed', s.replace(/(?<![\d.])(\d+)\s*\\[dt]?frac\{(\d+)\}\{(\d+)\}/g, '($1 + $2/$3)'));
  apply('frac', s.replace(/\\[dt]?frac\{([^{}]+)\}\{([^{}]+)\}/g, '(($1)/($2))'));
  apply('decimal', s.replace(/(?<![\d_^.])(\d*)\.(\d+)(?![\d_])/g, (_m, a: string, b: string) => `(${BigInt(a + b)})/(1${'0'.repeat(b.length)})`));
  if (!s.includes('\\text')) {
    apply('integer', s.replace(/(?<![\d_^.\\a-zA-Z{}]|frac\s*|\\sqrt\s*)(\d+)(?![\d_.]|\s*,\d{3})/, (_m, n: string) => `{(${2n * BigInt(n)})/2}`));
  }
  apply('sqrt', s.replace(/\\sqrt\{([^{}]+)\}/g, ' sqrt($1)'));
  apply('pi', s.replace(/\\pi(?![a-zA-Z])/g, ' pi '));
  if (rules.length === 0) {
    const text = /^\\text\{([^{}]*)\}$/.exec(s.trim());
    if (text) apply('text-case', text[1].toUpperCase());
    else apply('braces', `{${s}}`);
  }
  return { text: s, rules };
}
