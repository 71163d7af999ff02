// Source of the script that sets up every fresh isolated-vm context before a program runs:
// console and process.stdout into a capped buffer, stdin from the test input, a `require`
// that knows only in-isolate fakes (fs/readline for stdin, lodash.isEqual and assert for
// tests), and virtual timers drained by the host. Nothing here reaches the host: no
// References or Callbacks are ever passed in, only strings copied in and out.

/** The shim for one output cap. Runs once per context; defines non-writable `__ace_*` globals. */
export function jsShimSource(outputBytes: number): string {
  return `(function () {
'use strict';
const G = globalThis;
const OUT_LIMIT = ${outputBytes};
const isArray = Array.isArray, keys = Object.keys, toStr = Object.prototype.toString;
const hasOwn = Object.prototype.hasOwnProperty, is = Object.is, getProto = Object.getPrototypeOf;
const parse = JSON.parse, stringify = JSON.stringify, StringCtor = String;
const out = []; let outBytes = 0; let overflow = false;
let input = ''; let exitCode = null;
class ExitSignal { constructor(code) { this.code = code; } }
function write(s) {
  s = StringCtor(s);
  outBytes += s.length;
  if (overflow || outBytes > OUT_LIMIT) { overflow = true; throw new Error('output limit exceeded'); }
  out[out.length] = s;
}
function fmt(x) {
  if (typeof x === 'string') return x;
  if (typeof x === 'number') return is(x, -0) ? '-0' : StringCtor(x);
  if (typeof x === 'object' && x !== null) { try { return stringify(x); } catch (e) { return toStr.call(x); } }
  return StringCtor(x);
}
const noop = () => {};
// Built without Array.prototype methods, which the program may have replaced.
const logFn = (...a) => { let s = ''; for (let i = 0; i < a.length; i++) s += (i ? ' ' : '') + fmt(a[i]); write(s + '\\n'); };
const con = { log: logFn, info: logFn, debug: noop, warn: noop, error: noop, trace: noop, dir: logFn, table: logFn, time: noop, timeEnd: noop, assert: noop };

// lodash-compatible deep equality for the plain data tests compare (arrays, plain objects,
// primitives with SameValueZero, Map, Set, Date, RegExp, boxed primitives). Like lodash,
// Map/Set entries match in any order, and that unordered mode carries into nested arrays.
function unorderedEqual(ea, eb, seen) {
  if (ea.length !== eb.length) return false;
  const used = new Array(eb.length).fill(false);
  for (const x of ea) {
    let found = false;
    for (let j = 0; j < eb.length && !found; j++) if (!used[j] && isEqual(x, eb[j], seen, true)) used[j] = found = true;
    if (!found) return false;
  }
  return true;
}
function isEqual(a, b, seen, unordered) {
  if (a === b || (a !== a && b !== b)) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const ta = toStr.call(a), tb = toStr.call(b);
  if (ta !== tb) return false;
  seen = seen || [];
  for (const [x, y] of seen) if (x === a) return y === b;
  seen.push([a, b]);
  const r = deepEqual(a, b, ta, seen, unordered);
  seen.pop();
  return r;
}
function deepEqual(a, b, ta, seen, unordered) {
  switch (ta) {
    case '[object Number]': case '[object String]': case '[object Boolean]': case '[object Date]':
      return isEqual(a.valueOf(), b.valueOf(), seen, unordered);
    case '[object RegExp]': return StringCtor(a) === StringCtor(b);
    case '[object Array]':
      if (a.length !== b.length) return false;
      if (unordered) return unorderedEqual(a, b, seen);
      for (let i = 0; i < a.length; i++) if (!isEqual(a[i], b[i], seen, false)) return false;
      return true;
    case '[object Map]': case '[object Set]':
      return a.size === b.size && unorderedEqual([...a], [...b], seen);
  }
  if (ta === '[object Object]') {
    const ca = a.constructor, cb = b.constructor;
    if (ca !== cb && 'constructor' in a && 'constructor' in b && !(typeof ca === 'function' && ca instanceof ca && typeof cb === 'function' && cb instanceof cb)) return false;
  }
  const ka = keys(a), kb = keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!hasOwn.call(b, k) || !isEqual(a[k], b[k], seen, unordered)) return false;
  return true;
}
class AssertionError extends Error { constructor(m) { super(m); this.name = 'AssertionError'; } }
function check(ok, m) { if (!ok) throw new AssertionError(m || 'assertion failed'); }
const assertMod = Object.assign((v, m) => check(v, m), {
  ok: (v, m) => check(v, m), equal: (a, b, m) => check(a == b, m), notEqual: (a, b, m) => check(a != b, m),
  strictEqual: (a, b, m) => check(is(a, b), m), notStrictEqual: (a, b, m) => check(!is(a, b), m),
  deepEqual: (a, b, m) => check(isEqual(a, b), m), deepStrictEqual: (a, b, m) => check(isEqual(a, b), m),
  notDeepStrictEqual: (a, b, m) => check(!isEqual(a, b), m), AssertionError,
});
assertMod.strict = assertMod;

// Virtual timers: no real clock; callbacks fire in (time, order) when the host drains them.
let now = 0, seq = 0; const timers = new Map();
function addTimer(cb, ms, args, repeat) {
  if (typeof cb !== 'function') throw new TypeError('callback must be a function');
  const id = ++seq; const d = Math.max(1, Number(ms) || 0);
  timers.set(id, { at: now + d, id, cb, args, every: repeat ? d : 0 });
  return id;
}
const clear = (id) => { timers.delete(typeof id === 'object' && id !== null ? id.id : id); };

// stdin listeners (readline / process.stdin), fed once after the program's top level ran.
const lineCbs = [], closeCbs = [], dataCbs = [], endCbs = [];
function emitter(onMap) {
  const self = {
    on(ev, cb) { const l = onMap[ev]; if (l) l.push(cb); return self; },
    once(ev, cb) { return self.on(ev, cb); },
    setEncoding() { return self; }, resume() { return self; }, pause() { return self; }, close() {},
    [Symbol.asyncIterator]: async function* () { for (const l of splitLines()) yield l; },
  };
  return self;
}
function splitLines() {
  const ls = input.split('\\n'); if (ls.length > 0 && ls[ls.length - 1] === '') ls.pop();
  return ls.map((l) => (l.endsWith('\\r') ? l.slice(0, -1) : l));
}
const fs = Object.freeze({
  readFileSync(p, enc) {
    if (p === 0 || p === '/dev/stdin') return input;
    const e = new Error("EACCES: file system not available in the sandbox, open '" + StringCtor(p) + "'"); e.code = 'EACCES'; throw e;
  },
});
const readline = Object.freeze({ createInterface: () => emitter({ line: lineCbs, close: closeCbs }) });
const lodash = Object.freeze({ isEqual: (a, b) => isEqual(a, b) });
const modules = { fs, 'node:fs': fs, readline, 'node:readline': readline, lodash, assert: assertMod, 'node:assert': assertMod, 'assert/strict': assertMod };
function require(name) {
  if (hasOwn.call(modules, name)) return modules[name];
  const e = new Error("Cannot find module '" + StringCtor(name) + "' (not available in the sandbox)");
  e.code = 'MODULE_NOT_FOUND'; throw e;
}
const stdin = emitter({ data: dataCbs, end: endCbs });
const proc = {
  argv: ['node', 'main.js'], env: {}, platform: 'linux', exitCode: undefined,
  stdin, stdout: { write: (s) => (write(s), true) }, stderr: { write: () => true },
  exit(code) { exitCode = code === undefined ? 0 : Number(code) || 0; throw new ExitSignal(exitCode); },
  nextTick: (cb, ...a) => { Promise.resolve().then(() => cb(...a)); },
  hrtime: Object.assign(() => [0, 0], { bigint: () => 0n }), memoryUsage: () => ({}),
  on() { return proc; },
};

const defs = {
  console: con, require, process: proc, module: { exports: {} },
  setTimeout: (cb, ms, ...a) => addTimer(cb, ms, a, false), setInterval: (cb, ms, ...a) => addTimer(cb, ms, a, true),
  setImmediate: (cb, ...a) => addTimer(cb, 0, a, false), clearTimeout: clear, clearInterval: clear, clearImmediate: clear,
  queueMicrotask: (cb) => { Promise.resolve().then(cb); },
};
for (const k of keys(defs)) Object.defineProperty(G, k, { value: defs[k], writable: k === 'module', configurable: false, enumerable: false });
Object.defineProperty(G, 'exports', { value: defs.module.exports, writable: true, configurable: false });

function errInfo(e) {
  if (e instanceof ExitSignal) return null;
  let name = 'Error', message = '';
  try {
    if (e !== null && typeof e === 'object') { name = StringCtor(e.name || 'Error'); message = StringCtor(e.message); }
    else { name = 'Thrown'; message = StringCtor(e); }
  } catch (x) { message = 'unprintable exception'; }
  return { name, message: message.slice(0, 500) };
}
let settled = null;
const api = {
  // (string) -> void
  setInput(s) { input = StringCtor(s); },
  // After the program's top level: deliver stdin events. Returns errInfo JSON or ''.
  feedStdin() {
    try {
      if (lineCbs.length || closeCbs.length) { for (const l of splitLines()) for (const cb of lineCbs) cb(l); for (const cb of closeCbs) cb(); }
      if (dataCbs.length || endCbs.length) { for (const cb of dataCbs) cb(input); for (const cb of endCbs) cb(); }
    } catch (e) { const i = errInfo(e); return i ? stringify(i) : ''; }
    return '';
  },
  // Fires the next virtual timer. Returns 'idle' when none is left, '' after firing, or errInfo JSON.
  tick() {
    let next = null;
    for (const t of timers.values()) if (next === null || t.at < next.at || (t.at === next.at && t.id < next.id)) next = t;
    if (next === null) return 'idle';
    now = next.at;
    if (next.every) next.at += next.every; else timers.delete(next.id);
    try { next.cb(...next.args); } catch (e) { const i = errInfo(e); return i ? stringify(i) : ''; }
    return '';
  },
  // Calls the entry with JSON arguments; a thenable result is awaited via settle state.
  call(getFn, argsJson) {
    settled = null;
    timers.clear(); // timers of an earlier test do not outlive it
    let r;
    try { r = getFn()(...parse(argsJson)); } catch (e) { const i = errInfo(e); settled = { error: i || { name: 'Exit', message: 'process.exit called' } }; return; }
    if (r !== null && typeof r === 'object' && typeof r.then === 'function') {
      settled = { pending: true };
      r.then((v) => { settled = { value: v }; }, (e) => { settled = { error: errInfo(e) || { name: 'Exit', message: 'process.exit called' } }; });
    } else settled = { value: r };
  },
  // The call's outcome as JSON: {pending} | {error} | {json} (undefined -> null).
  result() {
    if (settled === null || settled.pending) return '{"pending":true}';
    if (settled.error) return stringify({ error: settled.error });
    try { const j = stringify(settled.value); return stringify({ json: j === undefined ? 'null' : j }); }
    catch (e) { return stringify({ error: { name: 'SerializeError', message: 'result is not JSON: ' + errInfo(e).message } }); }
  },
  output() { let s = ''; for (let i = 0; i < out.length; i++) s += out[i]; return s; },
  // process.exit's code, or -1 when the program did not call it.
  exitCode() { return exitCode === null ? -1 : exitCode; },
  overflowed() { return overflow; },
  errInfo(e) { const i = errInfo(e); return i ? stringify(i) : ''; },
};
Object.defineProperty(G, '__ace', { value: Object.freeze(api), writable: false, configurable: false, enumerable: false });
})();`;
}
