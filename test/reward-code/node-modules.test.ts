// The sandbox's Node modules against the host's: crypto hashes and HMACs on many inputs
// (empty, ASCII, unicode, lone surrogates, every length around the block boundaries, bytes),
// util.inspect / util.format output, events, TextEncoder/TextDecoder, and which modules and
// names exist. Each snippet runs in the sandbox and on the host; the results must be equal.
import { afterAll, describe, expect, it } from 'vitest';
import { hostOutcome, Sandbox } from './sandbox-harness.ts';

const sandbox = new Sandbox();
afterAll(() => sandbox.dispose());

/** Runs one body both ways and expects the same outcome. */
function same(bodies: string[]): void {
  const got = bodies.map((b) => `${b} => ${sandbox.outcome(b)}`);
  const want = bodies.map((b) => `${b} => ${hostOutcome(b)}`);
  const differ = got.map((g, i) => (g === want[i] ? null : `sandbox: ${g}\nnode:    ${want[i]}`)).filter((x) => x !== null);
  expect(differ.join('\n\n')).toBe('');
  expect(got).toEqual(want);
}

const STRINGS = [
  '', 'a', 'abc', 'message digest', 'The quick brown fox jumps over the lazy dog', 'héllo wörld', '日本語のテキスト', '😀👍🏽', '\\u0000\\u0001\\u00ff',
  '\\ud800x', 'x\\udc00', 'line1\\nline2\\r\\n', ...[55, 56, 57, 63, 64, 65, 111, 112, 113, 119, 127, 128, 129, 200, 1000].map((n) => `${'a'.repeat(n)}`),
];
const ALGS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'SHA256', 'sha-256', 'RSA-SHA1'];

describe('crypto', () => {
  it('createHash(alg).update(string).digest(hex/base64/base64url/latin1) matches node:crypto', () => {
    const bodies: string[] = [];
    for (const alg of ALGS) {
      for (const s of STRINGS) {
        bodies.push(`const c = require('crypto'); return ['hex', 'base64', 'base64url', 'latin1'].map((e) => c.createHash('${alg}').update('${s}').digest(e)).join('|');`);
      }
    }
    same(bodies);
    expect(bodies.length).toBeGreaterThan(200);
  });

  it('hashes bytes, chunked updates, input encodings, copy() and digest() without an encoding', () => {
    const bytes = (n: number, seed: number) => `Uint8Array.from({ length: ${n} }, (_, i) => (i * ${seed} + 7) % 251)`;
    const bodies: string[] = [];
    for (const alg of ['md5', 'sha1', 'sha256', 'sha512']) {
      for (const n of [0, 1, 63, 64, 65, 127, 128, 129, 300]) {
        bodies.push(`return require('crypto').createHash('${alg}').update(${bytes(n, 31)}).digest('hex');`);
        bodies.push(`return require('crypto').createHash('${alg}').update(new DataView(${bytes(n, 17)}.buffer)).digest('hex');`);
      }
      bodies.push(`const h = require('crypto').createHash('${alg}'); for (let i = 0; i < 50; i++) h.update('chunk' + i); return h.digest('hex');`);
      bodies.push(`const h = require('crypto').createHash('${alg}').update('ab'); const c = h.copy(); c.update('cd'); return h.digest('hex') + ' ' + c.digest('hex');`);
      bodies.push(`return require('crypto').createHash('${alg}').update('68656c6c6f', 'hex').update('aGk=', 'base64').update('é', 'latin1').update('hi', 'utf16le').digest('hex');`);
      bodies.push(`const d = require('crypto').createHash('${alg}').update('x').digest(); return [d.length, d.toString('hex'), d.toString('base64'), d instanceof Uint8Array, JSON.stringify(d).slice(0, 30)].join();`);
      bodies.push(`return require('util').inspect(require('crypto').createHash('${alg}').update('x').digest());`);
    }
    bodies.push("const h = require('crypto').createHash('md5'); h.digest(); h.digest(); return 'x';");
    bodies.push("const h = require('crypto').createHash('md5'); h.digest(); h.update('a'); return 'x';");
    bodies.push("require('crypto').createHash('md5').update(5); return 'x';");
    bodies.push("require('crypto').createHash('nope'); return 'x';");
    same(bodies);
  });

  it('createHmac, crypto.hash and timingSafeEqual match node:crypto', () => {
    const bodies: string[] = [];
    for (const alg of ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512']) {
      for (const key of ["''", "'k'", "'key'", `'${'K'.repeat(64)}'`, `'${'K'.repeat(129)}'`, 'new Uint8Array([1, 2, 3])']) {
        bodies.push(`return require('crypto').createHmac('${alg}', ${key}).update('The quick brown fox').digest('hex');`);
      }
      bodies.push(`return require('crypto').hash('${alg}', 'abc') + require('crypto').hash('${alg}', 'abc', 'base64');`);
    }
    bodies.push("const h = require('crypto').createHmac('sha256', 'k'); h.update('a'); return JSON.stringify([h.digest('hex'), h.digest('hex')]);");
    bodies.push("require('crypto').createHmac('nope', 'k'); return 'x';");
    bodies.push("const c = require('crypto'); return [c.timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])), c.timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))].join();");
    bodies.push("require('crypto').timingSafeEqual(new Uint8Array([1]), new Uint8Array([1, 2])); return 'x';");
    same(bodies);
  });

  it('AoC-style MD5 mining runs in the sandbox at a usable speed', () => {
    const body = "const c = require('crypto'); let n = 0; for (let i = 0; i < 20000; i++) if (c.createHash('md5').update('abc' + i).digest('hex').startsWith('00')) n++; return n;";
    const t0 = performance.now();
    expect(sandbox.outcome(body)).toBe(hostOutcome(body));
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  it('random and host-bound parts are stubs that throw the unsupported error', () => {
    for (const b of ["require('crypto').randomBytes(4)", "require('crypto').randomUUID()", "require('crypto').createCipheriv('aes-128-cbc', 'k', 'i')", "require('crypto').webcrypto.subtle.digest('SHA-256', new Uint8Array(1))", "require('crypto').createHash('sha3-256')"]) {
      expect(sandbox.outcome(`${b}; return 'x';`)).toBe('throw:Error:ERR_ACE_UNSUPPORTED');
    }
  });
});

describe('util', () => {
  const VALUES = [
    '1', '-0', "'str'", '"it\'s"', "'both \\' and \"'", "'tab\\tnew\\nline'", "'\\u001b[31m'", 'null', 'undefined', 'true', '12n', "Symbol('s')", 'NaN',
    '[]', '{}', '[1, 2, 3]', "[1, 'a', [2, [3, [4, [5]]]]]", "{ a: 1, b: 'x', c: [1, 2], d: { e: { f: { g: 1 } } } }", "{ 'a-b': 1, 2: 3, [Symbol('k')]: 4 }",
    'Array.from({ length: 7 }, (_, i) => i)', 'Array.from({ length: 30 }, (_, i) => i * 37)', 'Array.from({ length: 120 }, (_, i) => i)',
    "Array.from({ length: 26 }, (_, i) => String.fromCharCode(97 + i).repeat(i % 5 + 1))", 'Array.from({ length: 10 }, (_, i) => ({ id: i, name: "n" + i }))',
    '[1, , 3]', '[, , 1]', 'new Array(5)', 'new Map([[1, { a: 1 }], ["k", [1, 2]]])', 'new Set([1, "a", [2]])', 'new Map()', 'new Set()',
    'new Date(0)', 'new Date(NaN)', '/ab+c/gi', 'function named() {}', '() => {}', 'class Foo {}', 'class Bar extends Map {}', 'async function af() {}', 'function* gen() {}',
    'new (class Point { constructor() { this.x = 1; this.y = 2; } })()', 'new (class Empty {})()', 'Object.create(null)', "Object.assign(Object.create(null), { a: 1 })",
    'new Number(3)', "new String('ab')", 'new Boolean(false)', 'Object(1n)', 'new Uint8Array([1, 2, 3])', 'new Float64Array(2)', 'new ArrayBuffer(3)',
    '(() => { const o = { a: 1 }; o.self = o; return o; })()', '(() => { const a = [1]; a.push(a); return a; })()', '{ get g() { return 1; }, set s(v) {} }',
    '(function () { return arguments; })(1, 2)', 'new WeakMap()', 'Math', 'JSON', "'x'.repeat(100)", "'line one\\nline two\\nline three of a longer string here'",
    "{ long: 'x'.repeat(90), other: 1 }", "{ nested: Array.from({ length: 12 }, (_, i) => ({ i })) }", "[[1, 2, [3, 4, [5, 6, [7, 8]]]]]",
    "{ a: { b: { c: {} } } }", "{ a: { b: { c: { d: 1 } } } }", "{ a: { b: { c: [] } } }", "{ a: [{ b: [{ c: 1 }] }] }",
    "{ [Symbol.for('nodejs.util.inspect.custom')]() { return 'CUSTOM'; } }", "{ x: { [Symbol.for('nodejs.util.inspect.custom')]: () => ({ y: 1 }) } }",
    "Object.defineProperty({}, 'hidden', { value: 1, enumerable: false })", "{ a: -0, b: [-0] }",
  ];
  it(`inspect matches node:util on ${VALUES.length} values, with default and a few options`, () => {
    const bodies = VALUES.flatMap((v) => [
      `return require('util').inspect(${v});`,
      `return require('util').inspect(${v}, { depth: 0 });`,
      `return require('util').inspect(${v}, { compact: false, breakLength: 40 });`,
      `return require('util').inspect({ wrapped: ${v} }, { depth: null });`,
    ]);
    same(bodies);
  });

  it('format matches node:util', () => {
    const bodies = [
      "'%s is %d years', 'Bob', 42", "'%i %f %j', '42.9px', '3.5e1', { a: [1] }", "'%o|%O', [1, { a: 2 }], { b: 'x' }", "'%%s %s', 'x'", "'%s', -0",
      "'%s', 12n", "'%d', 12n", "'%s', Symbol('q')", "'%s', { toString() { return 'TS'; } }", "'%s', [1, [2, [3]]]", "'%s', new Date(0)",
      "'%c styled', 'color: red'", "'%s %s', 'only one'", "'no placeholders', 1, 'two', { three: 3 }", "1, 2, '3'", "{ a: 1 }, 'b'", "'%j', (() => { const o = {}; o.o = o; return o; })()",
      "'%x %s', 1, 2", "'%s', null, undefined", "'%d', '0x10'", "'%i', 2.7", "'%f', 'abc'", "'%s', new Error('boom').message", "'%s:%s', 'a'",
    ].map((args) => `return require('util').format(${args});`);
    same(bodies);
  });

  it('isDeepStrictEqual, promisify, inherits, types and the legacy checks behave as in Node', () => {
    same([
      "return require('util').isDeepStrictEqual({ a: [1, 2] }, { a: [1, 2] }) + ',' + require('util').isDeepStrictEqual([1], ['1']);",
      "const u = require('util'); return [u.types.isDate(new Date()), u.types.isRegExp(/a/), u.types.isMap(new Map()), u.types.isSet({}), u.types.isPromise(Promise.resolve()), u.types.isTypedArray(new Uint8Array()), u.types.isUint8Array(new Int8Array()), u.types.isBoxedPrimitive(Object(1)), u.types.isAsyncFunction(async () => {}), u.types.isGeneratorFunction(function* () {}), u.types.isNativeError(new TypeError())].join();",
      "const u = require('util'); return [u.isArray([]), u.isString(''), u.isNumber(1), u.isNullOrUndefined(null), u.isPrimitive({}), u.isFunction(() => {}), u.isObject(null), u.isError(new Error())].join();",
      "const u = require('util'); function A() {} function B() { A.call(this); } u.inherits(B, A); return [new B() instanceof A, B.super_ === A].join();",
      "const u = require('util'); const f = u.promisify((x, cb) => cb(null, x * 2)); return typeof f(1).then;",
      "return require('util').types === require('util/types');",
      "return require('util').stripVTControlCharacters('\\u001b[31mred\\u001b[0m');",
    ]);
  });

  it('TextEncoder and TextDecoder round-trip like Node', () => {
    same([
      "const { TextEncoder, TextDecoder } = require('util'); return Array.from(new TextEncoder().encode('héllo 😀 \\ud800')).join(',');",
      "const { TextDecoder } = require('util'); return new TextDecoder().decode(new Uint8Array([0xef, 0xbb, 0xbf, 104, 0xc3, 0xa9, 0xff, 0xe2, 0x82, 0xf0, 0x9f, 0x98, 0x80]));",
      "const { TextDecoder } = require('util'); return new TextDecoder('utf-8', { ignoreBOM: true }).decode(new Uint8Array([0xef, 0xbb, 0xbf, 65])).length;",
      "const { TextDecoder } = require('util'); new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xff])); return 'x';",
      "const { TextEncoder } = require('util'); const d = new Uint8Array(4); const r = new TextEncoder().encodeInto('aé😀', d); return [r.read, r.written, Array.from(d)].join();",
    ]);
  });
});

describe('events', () => {
  it('EventEmitter behaves as in Node', () => {
    const body = (script: string) => `const EventEmitter = require('events'); const log = []; ${script}; return JSON.stringify(log);`;
    same([
      body("const e = new EventEmitter(); e.on('x', (a, b) => log.push(['on', a, b])); e.once('x', (a) => log.push(['once', a])); log.push(e.emit('x', 1, 2)); log.push(e.emit('x', 3)); log.push(e.emit('y')); log.push(e.listenerCount('x'))"),
      body("const e = new EventEmitter(); const f = () => log.push('f'); e.on('x', f); e.prependListener('x', () => log.push('first')); e.emit('x'); e.off('x', f); e.emit('x'); log.push(e.eventNames())"),
      body("const e = new EventEmitter(); e.on('newListener', (n) => log.push('new ' + n)); e.on('removeListener', (n) => log.push('removed ' + n)); const g = () => {}; e.on('a', g); e.removeListener('a', g)"),
      body("const e = new EventEmitter(); try { e.emit('error', new TypeError('bad')); } catch (err) { log.push(err.name + ':' + err.message); } try { e.emit('error', 'str'); } catch (err) { log.push(err.code); }"),
      body("class My extends EventEmitter {} const m = new My(); m.on('e', function () { log.push(this === m); }); m.emit('e'); log.push(m instanceof EventEmitter, EventEmitter.EventEmitter === EventEmitter, EventEmitter.defaultMaxListeners, m.getMaxListeners())"),
      body("const u = require('util'); function Old() { EventEmitter.call(this); } u.inherits(Old, EventEmitter); const o = new Old(); o.on('z', (v) => log.push(v)); o.emit('z', 5); log.push(o.listeners('z').length)"),
      body("const e = new EventEmitter(); e.on('x', () => {}); e.on('x', () => {}); e.on('y', () => {}); e.removeAllListeners('x'); log.push(e.eventNames()); e.removeAllListeners(); log.push(e.eventNames())"),
      body("const e = new EventEmitter(); const f = () => log.push('f'); e.once('x', f); log.push(e.rawListeners('x').length, e.listeners('x')[0] === f); e.removeListener('x', f); log.push(e.emit('x'))"),
      body("const e = new EventEmitter(); e.on('x', 5)"),
    ]);
  });
});

describe('modules', () => {
  it('provided modules load under both names; absent built-ins load as stubs; other names are not found', () => {
    same([
      "return ['fs', 'readline', 'assert', 'assert/strict', 'util', 'util/types', 'events', 'crypto', 'timers', 'timers/promises', 'process', 'console'].map((m) => require(m) === require('node:' + m)).join();",
      "return ['os', 'path', 'child_process', 'net', 'http', 'worker_threads', 'buffer', 'fs/promises', 'zlib'].map((m) => typeof require(m)).join();",
      "require('definitely-not-a-module'); return 'x';",
      "require('node:lodash'); return 'x';",
      "return typeof require('node:test');",
      "require('test'); return 'x';",
      "const { createHash, randomBytes, webcrypto } = require('crypto'); return [typeof createHash, typeof randomBytes].join();",
      "const c = require('crypto'); return ['createHash', 'createHmac', 'hash', 'getHashes', 'timingSafeEqual', 'randomBytes', 'randomUUID', 'createCipheriv'].every((k) => k in c);",
      "const u = require('util'); return ['format', 'inspect', 'isDeepStrictEqual', 'promisify', 'inherits', 'types', 'TextEncoder', 'TextDecoder', 'parseArgs'].every((k) => k in u);",
      "return require('crypto').getHashes().includes('sha256');",
    ]);
  });

  it('using a stub throws the unsupported error naming the module; a caught one lets the program go on', () => {
    expect(sandbox.outcome("require('os').cpus(); return 'x';")).toBe('throw:Error:ERR_ACE_UNSUPPORTED');
    expect(sandbox.outcome("return 'a' + require('os').EOL;")).toBe('throw:Error:ERR_ACE_UNSUPPORTED');
    expect(sandbox.outcome("new (require('worker_threads').Worker)('x'); return 'x';")).toBe('throw:Error:ERR_ACE_UNSUPPORTED');
    expect(sandbox.outcome("let id; try { id = require('crypto').randomUUID(); } catch (e) { id = 'fallback'; } return id;")).toBe('fallback');
    expect(sandbox.outcome("try { require('child_process').execSync('id'); } catch (e) { return e.message; }")).toBe(
      "child_process.execSync() is not available in the sandbox (Node built-in module 'child_process')",
    );
  });
});
