// Output comparison as competitive judges do it, and exact comparison of JSON results.
// Float policy: none. Numbers are equal only when they are equal as exact decimals
// ("1.50" = "1.5" = "15e-1", "0.30000000000000004" != "0.3"); problems that need a
// tolerance or a special checker are out of scope and would be judged wrong.

/** Canonical exact form of a decimal literal, or null when the token is not one. */
export function canonicalDecimal(token: string): string | null {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(token);
  if (!m) return null;
  const [, sign, intPart = '', fracPart = '', expPart] = m;
  if (intPart === '' && fracPart === '') return null;
  if (expPart !== undefined && expPart.length > 6) return null;
  // value = 0.digits... as digits * 10^(exp - fracLen)
  let digits = (intPart + fracPart).replace(/^0+/, '');
  let exp = (expPart ? Number(expPart) : 0) - fracPart.length;
  if (digits === '') return '0';
  const trimmed = digits.replace(/0+$/, '');
  exp += digits.length - trimmed.length;
  digits = trimmed;
  return `${sign === '-' ? '-' : ''}${digits}e${exp}`;
}

function tokensEqual(a: string, b: string): boolean {
  if (a === b) return true;
  const da = canonicalDecimal(a);
  return da !== null && da === canonicalDecimal(b);
}

function lines(s: string): string[] {
  const out = s.replace(/\r\n?/g, '\n').split('\n').map((l) => l.trimEnd());
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

/**
 * Judge comparison of stdout with the expected output: equal line by line after trimming
 * trailing whitespace (and trailing blank lines); else equal as whitespace-separated
 * tokens, where two numeric tokens match when their exact decimal values are equal.
 */
export function outputsMatch(expected: string, actual: string): boolean {
  const le = lines(expected);
  const la = lines(actual);
  if (le.length === la.length && le.every((l, i) => l === la[i])) return true;
  const te = expected.split(/\s+/).filter((t) => t !== '');
  const ta = actual.split(/\s+/).filter((t) => t !== '');
  return te.length === ta.length && te.every((t, i) => tokensEqual(t, ta[i]));
}

/** A JSON value whose numbers keep their exact decimal value. */
export type ExactJson =
  | null
  | boolean
  | string
  | { num: string }
  | ExactJson[]
  | { obj: Map<string, ExactJson> };

export class JsonParseError extends Error {
  readonly code = 'json_parse';
  constructor(message: string) {
    super(message);
    this.name = 'JsonParseError';
  }
}

/**
 * Parses JSON text keeping numbers as canonical decimals (JSON.parse would round integers
 * beyond 2^53, which Python results often are). Accepts NaN/Infinity, as Python writes them.
 */
export function parseExactJson(text: string): ExactJson {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const fail = (what: string): never => {
    throw new JsonParseError(`${what} at ${i}`);
  };
  const value = (): ExactJson => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj = new Map<string, ExactJson>();
      ws();
      if (text[i] === '}') return i++, { obj };
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected key');
        const k = str();
        ws();
        if (text[i++] !== ':') fail('expected :');
        obj.set(k, value());
        ws();
        const d = text[i++];
        if (d === '}') return { obj };
        if (d !== ',') fail('expected , or }');
      }
    }
    if (c === '[') {
      i++;
      const arr: ExactJson[] = [];
      ws();
      if (text[i] === ']') return i++, arr;
      for (;;) {
        arr.push(value());
        ws();
        const d = text[i++];
        if (d === ']') return arr;
        if (d !== ',') fail('expected , or ]');
      }
    }
    if (c === '"') return str();
    for (const [lit, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(lit, i)) return (i += lit.length), v;
    }
    for (const lit of ['NaN', 'Infinity', '-Infinity']) {
      if (text.startsWith(lit, i)) return (i += lit.length), { num: lit };
    }
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 4096));
    if (!m) return fail('unexpected token');
    i += m[0].length;
    return { num: canonicalDecimal(m[0]) ?? fail('bad number') };
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const v = value();
  ws();
  if (i !== text.length) fail('trailing characters');
  return v;
}

/** ExactJson of a JS value (numbers via their shortest round-trip decimal). */
export function toExactJson(v: unknown): ExactJson {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return { num: Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity' };
    return { num: canonicalDecimal(String(v)) as string };
  }
  if (typeof v === 'bigint') return { num: canonicalDecimal(v.toString()) as string };
  if (Array.isArray(v)) return v.map(toExactJson);
  if (typeof v === 'object') {
    const obj = new Map<string, ExactJson>();
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) obj.set(k, toExactJson(x));
    return { obj };
  }
  return String(v);
}

/** Deep equality of ExactJson values: exact decimals, key order ignored, types strict (true != 1). */
export function exactJsonEqual(a: ExactJson, b: ExactJson): boolean {
  if (a === null || typeof a !== 'object' || b === null || typeof b !== 'object') return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => exactJsonEqual(x, b[i]));
  }
  if ('num' in a || 'num' in b) return 'num' in a && 'num' in b && a.num === b.num;
  if (a.obj.size !== b.obj.size) return false;
  for (const [k, x] of a.obj) {
    const y = b.obj.get(k);
    if (y === undefined || !exactJsonEqual(x, y)) return false;
  }
  return true;
}
