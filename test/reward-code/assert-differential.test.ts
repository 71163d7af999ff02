// The sandbox's `assert` against Node's own, case by case: every pair of values below goes
// through deepEqual, notDeepEqual, deepStrictEqual, notDeepStrictEqual, equal, notEqual,
// strictEqual, notStrictEqual and util.isDeepStrictEqual, both ways round, on the host
// (node:assert) and in the sandbox, and the outcomes (pass, or the thrown error's name and
// code) must agree; then throws/doesNotThrow/ok/match/ifError/fail and the module's shape
// (assert, node:assert, assert.strict, assert/strict).
import { afterAll, describe, expect, it } from 'vitest';
import { hostOutcome, Sandbox } from './sandbox-harness.ts';

/** [a, b] as source expressions, each evaluated afresh for every comparison. */
const PAIRS: [string, string][] = [
  // primitives: loose == versus Object.is
  ['1', "'1'"], ['1', '1'], ['0', "''"], ['0', 'false'], ['1', 'true'], ["'+00000000'", 'false'], ["'abc'", "'abc'"], ["'abc'", "'abd'"],
  ['null', 'undefined'], ['null', '0'], ['undefined', '0'], ['undefined', 'undefined'], ['NaN', 'NaN'], ['NaN', "'NaN'"], ['-0', '0'], ['-0', '-0'],
  ['1n', '1'], ['1n', "'1'"], ['1n', '1n'], ["Symbol.for('a')", "Symbol.for('a')"], ["Symbol('a')", "Symbol('a')"], ['true', "'1'"],
  ['[1, 2]', "'1,2'"], ['{}', "'[object Object]'"],
  // arrays and plain objects with loose leaves
  ['[1, 2, 3]', "['1', '2', '3']"], ['[1, [2, [3]]]', "[1, ['2', [3]]]"], ['[1, [2, [3]]]', '[1, [2, [4]]]'], ['[-0]', '[0]'], ['[NaN]', '[NaN]'],
  ['{ a: 1, b: { c: [1, 2] } }', "{ a: '1', b: { c: ['1', 2] } }"], ['{ a: 1, b: { c: [1, 2] } }', '{ a: 1, b: { c: [1, 2] } }'],
  ['{ a: null }', '{ a: undefined }'], ['{ a: 1, b: undefined }', '{ a: 1 }'], ['{ a: undefined }', '{ b: undefined }'], ['{ a: 1, b: 2 }', '{ b: 2, a: 1 }'],
  ['[[1, 2], [3, 4]]', '[[1, 2], [3, 4]]'], ['[{ x: 1 }]', '[{ x: 1, y: 2 }]'], ['{ a: [1, { b: new Set([1]) }] }', "{ a: ['1', { b: new Set(['1']) }] }"],
  // arrays versus objects, holes
  ['[]', '{}'], ['[1]', '{ 0: 1 }'], ['[1, 2]', '{ 0: 1, 1: 2, length: 2 }'], ['[1, , 3]', '[1, undefined, 3]'], ['[1, , 3]', '[1, , 3]'],
  ['[, 1]', '[undefined, 1]'], ['(() => { const a = [1]; a.x = 1; return a; })()', '[1]'], ['(() => { const a = [1]; a.x = 1; return a; })()', "(() => { const a = [1]; a.x = '1'; return a; })()"],
  // Date, RegExp
  ['new Date(0)', 'new Date(0)'], ['new Date(0)', 'new Date(1)'], ['new Date(0)', '0'], ['new Date(NaN)', 'new Date(NaN)'], ['new Date(0)', '{}'],
  ['(() => { const d = new Date(0); d.x = 1; return d; })()', 'new Date(0)'], ['new (class D extends Date {})(0)', 'new Date(0)'],
  ['/a/g', '/a/g'], ['/a/g', '/a/i'], ['/a/', '/b/'], ['/a/', "'/a/'"], ['(() => { const r = /a/g; r.lastIndex = 2; return r; })()', '/a/g'],
  // Map and Set
  ['new Map([[1, 2]])', 'new Map([[1, 2]])'], ['new Map([[1, 2]])', "new Map([['1', '2']])"], ['new Map([[1, { a: 1 }]])', "new Map([[1, { a: '1' }]])"],
  ['new Map([[{ k: 1 }, 2]])', "new Map([[{ k: '1' }, '2']])"], ['new Map([[{ k: 1 }, 2]])', 'new Map([[{ k: 1 }, 2]])'], ['new Map([[null, 1]])', 'new Map([[undefined, 1]])'],
  ['new Map([[1, 2], [3, 4]])', 'new Map([[3, 4], [1, 2]])'], ['new Map()', 'new Set()'], ['new Map([[1, undefined]])', 'new Map([[2, undefined]])'],
  ["new Map([['a', 1]])", "new Map([['a', '1']])"], ['new Map([[-0, 1]])', 'new Map([[0, 1]])'], ['new Map([[1, 1]])', 'new Map([[1, 1], [2, 2]])'],
  ['new Set([1, 2])', 'new Set([2, 1])'], ['new Set([1])', "new Set(['1'])"], ["new Set([1, '1'])", 'new Set([1, true])'], ['new Set([[1]])', "new Set([['1']])"],
  ['new Set([{ a: 1 }, { a: 1 }])', "new Set([{ a: 1 }, { a: '1' }])"], ['new Set([NaN])', 'new Set([NaN])'], ['new Set([undefined])', 'new Set([null])'],
  ['new Set([-0])', 'new Set([0])'], ["new Set([Symbol.for('a')])", "new Set([Symbol.for('b')])"], ['new Set([1, 2])', 'new Set([1, 3])'],
  ['(() => { const s = new Set([1]); s.x = 1; return s; })()', 'new Set([1])'], ['new Set()', 'new Set()'],
  // boxed primitives
  ['new Number(1)', 'new Number(1)'], ['new Number(1)', '1'], ['new Number(NaN)', 'new Number(NaN)'], ['new Number(-0)', 'new Number(0)'],
  ["new String('a')", "new String('a')"], ["new String('a')", "'a'"], ['new Boolean(false)', 'new Boolean(false)'], ['Object(1n)', 'Object(1n)'],
  ["new Number(1)", "new String('1')"], ["Object(Symbol.for('s'))", "Object(Symbol.for('s'))"],
  // errors
  ["new Error('a')", "new Error('a')"], ["new Error('a')", "new Error('b')"], ["new TypeError('a')", "new Error('a')"], ["new Error('a', { cause: 1 })", "new Error('a')"],
  ["new Error('a', { cause: 1 })", "new Error('a', { cause: '1' })"], ["new Error('a', { cause: undefined })", "new Error('a')"],
  ["(() => { const e = new Error('a'); e.code = 1; return e; })()", "new Error('a')"], ["new Error('a')", '{}'],
  ["new AggregateError([1], 'a')", "new AggregateError(['1'], 'a')"],
  // typed arrays and buffers
  ['new Uint8Array([1, 2])', 'new Uint8Array([1, 2])'], ['new Uint8Array([1])', 'new Int8Array([1])'], ['new Float64Array([-0])', 'new Float64Array([0])'],
  ['new Float32Array([NaN])', 'new Float32Array([NaN])'], ['new Uint8Array([1])', '[1]'], ['new ArrayBuffer(2)', 'new ArrayBuffer(2)'], ['new ArrayBuffer(2)', 'new ArrayBuffer(3)'],
  ['new DataView(new ArrayBuffer(2))', 'new DataView(new ArrayBuffer(2))'], ['(() => { const a = new Uint8Array([1]); a.x = 1; return a; })()', 'new Uint8Array([1])'],
  // prototypes
  ['new (class Foo { constructor() { this.a = 1; } })()', '{ a: 1 }'], ['Object.create(null)', '{}'], ["Object.assign(Object.create(null), { a: 1 })", "{ a: '1' }"],
  ['Object.create({ x: 1 })', '{}'], ['new (class A { constructor() { this.v = 1; } })()', 'new (class B { constructor() { this.v = 1; } })()'],
  // symbol and non-enumerable keys
  ["{ [Symbol.for('s')]: 1 }", '{}'], ["{ [Symbol.for('s')]: 1 }", "{ [Symbol.for('s')]: 2 }"], ["(() => { const o = {}; Object.defineProperty(o, 'x', { value: 1 }); return o; })()", '{}'],
  ["(() => { const o = {}; Object.defineProperty(o, 'x', { value: 1 }); return o; })()", '{ x: 1 }'], ['{ get a() { return 1; } }', '{ a: 1 }'],
  // arguments, functions, cycles, others
  ['(function () { return arguments; })(1)', '[1]'], ['(function () { return arguments; })(1)', '(function () { return arguments; })(1)'],
  ['Math.max', 'Math.max'], ['() => 1', '() => 1'], ['{ f: Math.max }', '{ f: Math.max }'],
  ['(() => { const a = {}; a.a = a; return a; })()', '(() => { const b = {}; b.a = b; return b; })()'],
  ['(() => { const a = {}; a.a = a; return a; })()', '(() => { const b = {}; b.a = { a: b }; return b; })()'],
  ['(() => { const a = [1]; a.push(a); return a; })()', '(() => { const b = [1, [1]]; b[1].push(b); return b; })()'],
  ['new WeakMap()', 'new WeakMap()'], ['Promise.resolve(1)', 'Promise.resolve(2)'],
];

const OPS = ['deepEqual', 'notDeepEqual', 'deepStrictEqual', 'notDeepStrictEqual', 'equal', 'notEqual', 'strictEqual', 'notStrictEqual'];

const COMPARISONS: string[] = [];
for (const [a, b] of PAIRS) {
  for (const [x, y] of [[a, b], [b, a]]) {
    for (const op of OPS) COMPARISONS.push(`assert.${op}(${x}, ${y}); return 'pass';`);
    COMPARISONS.push(`return require('util').isDeepStrictEqual(${x}, ${y});`);
  }
}

const OTHERS: string[] = [
  // throws / doesNotThrow with each kind of expectation
  ...[
    'RangeError', 'Error', 'TypeError', '/x/', '/q/', '/TypeError/', "{ name: 'TypeError', message: 'x' }", '{ message: /x/ }', "{ message: 'y' }",
    '(e) => e instanceof TypeError', '(e) => false', '() => {}', "'a message'", "{ code: 'E' }", '{}',
  ].flatMap((exp) => [
    `assert.throws(() => { throw new TypeError('x'); }, ${exp}); return 'pass';`,
    `assert.throws(() => { throw 'x'; }, ${exp}); return 'pass';`,
    `assert.throws(() => {}, ${exp}); return 'pass';`,
    `assert.doesNotThrow(() => { throw new TypeError('x'); }, ${exp}); return 'pass';`,
    `assert.doesNotThrow(() => {}, ${exp}); return 'pass';`,
  ]),
  "assert.throws(() => { throw new TypeError('x'); }); return 'pass';",
  "assert.throws(() => {}); return 'pass';",
  "assert.throws(1); return 'pass';",
  "assert.doesNotThrow(() => { throw new TypeError('x'); }); return 'pass';",
  "assert.throws(() => { const e = new Error('m'); e.code = 'E'; throw e; }, { code: 'E', message: 'm' }); return 'pass';",
  "assert.throws(() => { throw new RangeError('m'); }, new RangeError('m')); return 'pass';",
  "assert.throws(() => { throw new RangeError('m'); }, new TypeError('m')); return 'pass';",
  // ok, fail, ifError, match, messages that are errors, missing arguments
  "assert.ok(0); return 'pass';", "assert.ok(1); return 'pass';", "assert.ok(); return 'pass';", "assert(0); return 'pass';", "assert(1); return 'pass';",
  "assert('', 'm'); return 'pass';", "assert.ok(0, new RangeError('m')); return 'pass';", "assert.equal(1, 2, new TypeError('m')); return 'pass';",
  "assert.deepEqual([1], [2], new SyntaxError('m')); return 'pass';", "assert.fail(); return 'pass';", "assert.fail('boom'); return 'pass';",
  "assert.fail(new RangeError('r')); return 'pass';", "assert.ifError(null); return 'pass';", "assert.ifError(undefined); return 'pass';",
  "assert.ifError(0); return 'pass';", "assert.ifError(new Error('e')); return 'pass';", "assert.match('abc', /b/); return 'pass';",
  "assert.match('abc', /q/); return 'pass';", "assert.match(1, /1/); return 'pass';", "assert.doesNotMatch('abc', /q/); return 'pass';",
  "assert.doesNotMatch('abc', /b/); return 'pass';", "assert.equal(1); return 'pass';", "assert.deepEqual({}); return 'pass';",
  // the AssertionError itself
  "try { assert.deepEqual([1], [2]); } catch (e) { return [e.name, e.code, e.operator, e.generatedMessage, e instanceof assert.AssertionError, e instanceof Error].join(); }",
  "try { assert.strictEqual(1, 2, 'mine'); } catch (e) { return [e.name, e.generatedMessage, e.actual, e.expected, e.operator].join(); }",
  "try { assert.fail('boom'); } catch (e) { return [e.message, e.generatedMessage, e.operator].join(); }",
  "try { assert.fail(); } catch (e) { return [e.message, e.generatedMessage, e.operator].join(); }",
  "assert.throws(() => { throw new Error('m'); }, 'm'); return 'pass';",
  "assert.throws(() => { throw new Error('x'); }, 'm', 'n'); return 'pass';",
  "assert.throws(() => { throw new Error('x'); }, 5); return 'pass';",
  "assert.throws(() => { throw null; }, /null/); return 'pass';",
  "const e = new assert.AssertionError({ message: 'm', actual: 1, expected: 2, operator: 'x' }); return [e.name, e.message, e.code, e.actual, e.expected].join();",
  // module shape
  "return [typeof require('assert'), require('assert') === require('node:assert'), require('assert').strict === require('assert/strict')].join();",
  "return [require('node:assert/strict') === require('assert').strict, require('assert').strict.strict === require('assert').strict].join();",
  "const s = require('assert').strict; return [s.equal === s.strictEqual, s.deepEqual === s.deepStrictEqual, s.notEqual === s.notStrictEqual, s.notDeepEqual === s.notDeepStrictEqual].join();",
  "const a = require('assert'); return [a.equal === a.strictEqual, a.deepEqual === a.deepStrictEqual, typeof a.ok, typeof a.AssertionError, typeof a.rejects].join();",
  "const a = require('assert'); return ['ok', 'equal', 'notEqual', 'deepEqual', 'notDeepEqual', 'deepStrictEqual', 'notDeepStrictEqual', 'strictEqual', 'notStrictEqual', 'throws', 'doesNotThrow', 'rejects', 'doesNotReject', 'ifError', 'match', 'doesNotMatch', 'fail'].every((k) => typeof a[k] === 'function' && typeof a.strict[k] === 'function');",
  "require('assert').strict.equal(1, '1'); return 'pass';", "require('assert/strict').deepEqual(1, '1'); return 'pass';",
  "require('node:assert/strict').notDeepEqual([1], ['1']); return 'pass';", "require('node:assert/strict').notEqual(1, '1'); return 'pass';",
  "require('assert').strict(0); return 'pass';", "require('assert/strict')(1); return 'pass';",
];

describe('the sandbox assert agrees with node:assert', () => {
  const sandbox = new Sandbox();
  afterAll(() => sandbox.dispose());

  it(`on ${PAIRS.length} value pairs x ${OPS.length + 1} comparisons, both ways round`, () => {
    const got = COMPARISONS.map((c) => `${c} => ${sandbox.outcome(c)}`);
    const want = COMPARISONS.map((c) => `${c} => ${hostOutcome(c)}`);
    expect(got).toEqual(want);
    expect(COMPARISONS.length).toBeGreaterThan(2000);
    // Both outcomes occur for every operation (the cases discriminate).
    for (const op of OPS) {
      const outs = new Set(want.filter((w) => w.startsWith(`assert.${op}(`)).map((w) => w.slice(w.lastIndexOf('=> ') + 3)));
      expect(outs).toEqual(new Set(['pass', 'throw:AssertionError:ERR_ASSERTION']));
    }
  });

  it(`on ${OTHERS.length} throws / ok / fail / ifError / match / shape cases`, () => {
    const got = OTHERS.map((c) => `${c} => ${sandbox.outcome(c)}`);
    const want = OTHERS.map((c) => `${c} => ${hostOutcome(c)}`);
    expect(got).toEqual(want);
  });

  it('deepEqual is the legacy loose mode: a number returned as a string passes, strict does not', () => {
    expect(sandbox.outcome("assert.deepEqual([1, 2], ['1', '2']); return 'pass';")).toBe('pass');
    expect(sandbox.outcome("assert.deepEqual({ a: null }, { a: undefined }); return 'pass';")).toBe('pass');
    expect(sandbox.outcome("assert.deepStrictEqual([1, 2], ['1', '2']); return 'pass';")).toBe('throw:AssertionError:ERR_ASSERTION');
    expect(sandbox.outcome("assert.notDeepEqual([1, 2], ['1', '2']); return 'pass';")).toBe('throw:AssertionError:ERR_ASSERTION');
  });
});
