// Source of the script that sets up every fresh isolated-vm context before a program runs:
// console and process.stdout into a capped buffer, stdin from the test input, a `require`
// that knows only in-isolate modules, and virtual timers drained by the host. Nothing here
// reaches the host: no References or Callbacks are ever passed in, only strings copied in and
// out (the host's list of Node built-ins is copied in as JSON text).
// Modules: fs/readline (stdin), lodash.isEqual, assert (+ assert/strict), util, events,
// crypto (hashes), timers, timers/promises, process, console, written for the isolate
// (js-shim-*.ts) and built at the first require from built-ins captured before the program
// ran (RAW_SRC), so that a program cannot steer what its tests compare with. Any other Node
// built-in, and the non-deterministic or host-bound parts of the provided ones
// (crypto.randomBytes, fs.writeFileSync...), load as stubs that throw an "is not available in
// the sandbox" error when used; the runner reports that as the unsupported_module failure.
// A name that is no Node built-in is MODULE_NOT_FOUND, as in Node. docs/code-sandbox.md lists it all.
import { builtinModules, createRequire, isBuiltin } from 'node:module';
import { ASSERT_SRC } from './js-shim-assert.ts';
import { INSPECT_SRC } from './js-shim-inspect.ts';
import { NODE_SRC } from './js-shim-node.ts';
import { PRIMS_SRC, RAW_SRC } from './js-shim-prims.ts';

/** Modules the shim provides in part: their other exports (Node's names) become stubs. */
const PARTIAL_MODULES = ['fs', 'readline', 'assert', 'util', 'events', 'crypto', 'timers', 'timers/promises'];
/** Built-ins that exist only with the `node:` prefix. */
const PREFIX_ONLY = ['test', 'test/reporters', 'sea', 'sqlite'];

let hostInfoJson: string | null = null;

/** What the shim needs to know of the host's Node, as JSON text: built-in names, export names, hash names. */
export function nodeBuiltinInfo(): string {
  if (hostInfoJson !== null) return hostInfoJson;
  const req = createRequire(import.meta.url);
  const exportsOf: Record<string, string[]> = {};
  for (const m of PARTIAL_MODULES) {
    try {
      exportsOf[m] = Object.keys(req(`node:${m}`) as object);
    } catch {
      exportsOf[m] = [];
    }
  }
  const crypto = req('node:crypto') as typeof import('node:crypto');
  hostInfoJson = JSON.stringify({
    builtins: builtinModules.filter((m) => !m.startsWith('node:')),
    prefixOnly: PREFIX_ONLY.filter((m) => isBuiltin(`node:${m}`) && !isBuiltin(m)),
    exports: exportsOf,
    hashes: [...new Set(crypto.getHashes().map((h) => h.toLowerCase()))],
  });
  return hostInfoJson;
}

/** The shim for one output cap. Runs once per context; defines non-writable `__ace_*` globals. */
export function jsShimSource(outputBytes: number): string {
  return `(function () {
'use strict';
const G = globalThis;
const OUT_LIMIT = ${outputBytes};
const isArray = Array.isArray, keys = Object.keys, toStr = Object.prototype.toString;
const hasOwn = Object.prototype.hasOwnProperty, is = Object.is, getProto = Object.getPrototypeOf;
const parse = JSON.parse, stringify = JSON.stringify, StringCtor = String;
${RAW_SRC}
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

// The modules, built at the first require (or failure check) from what RAW_SRC captured
// before the program ran; a context whose program requires nothing never pays for them.
let LIB = null;
function lib() {
if (LIB !== null) return LIB;
${PRIMS_SRC}
${ASSERT_SRC}
${INSPECT_SRC}
${NODE_SRC}
// lodash-compatible deep equality for the plain data tests compare (arrays, plain objects,
// primitives with SameValueZero, Map, Set, Date, RegExp, boxed primitives). Like lodash,
// Map/Set entries match in any order, and that unordered mode carries into nested arrays.
// Built on the captured built-ins and refusing planted accessors (js-shim-prims.ts): no
// program code ever runs with the expected value in hand.
function lodashUnordered(ea, eb, sa, sb) {
  if (ea.length !== eb.length) return false;
  const used = [];
  for (let j = 0; j < eb.length; j++) push(used, false);
  for (let i = 0; i < ea.length; i++) {
    let found = false;
    for (let j = 0; j < eb.length && !found; j++) if (!used[j] && lodashEqual(ea[i], eb[j], sa, sb, true)) used[j] = found = true;
    if (!found) return false;
  }
  return true;
}
function lodashEqual(a, b, sa, sb, unordered) {
  if (a === b || (a !== a && b !== b)) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const ta = tagOf(a), tb = tagOf(b);
  if (ta === null || ta !== tb) return false;
  for (let i = 0; i < sa.length; i++) if (sa[i] === a) return sb[i] === b;
  const depth = sa.length;
  push(sa, a); push(sb, b);
  const r = lodashContents(a, b, ta, sa, sb, unordered);
  sa.length = depth; sb.length = depth;
  return r;
}
function lodashPrimitive(x) {
  if (isDate(x)) return DateGetTime(x);
  switch (boxedKind(x)) {
    case 'number': return NumberValueOf(x);
    case 'string': return StringValueOf(x);
    case 'boolean': return BooleanValueOf(x);
    default: return TAMPERED;
  }
}
function lodashContents(a, b, ta, sa, sb, unordered) {
  switch (ta) {
    case '[object Number]': case '[object String]': case '[object Boolean]': case '[object Date]': {
      const x = lodashPrimitive(a), y = lodashPrimitive(b);
      return x !== TAMPERED && y !== TAMPERED && lodashEqual(x, y, sa, sb, unordered);
    }
    case '[object RegExp]':
      return isRegExp(a) && isRegExp(b) && RegExpSource(a) === RegExpSource(b) && RegExpFlags(a) === RegExpFlags(b);
    case '[object Array]': {
      if (!ArrayIsArray(a) || !ArrayIsArray(b) || a.length !== b.length) return false;
      const ea = [], eb = [];
      for (let i = 0; i < a.length; i++) {
        const x = HasOwn(a, i) ? a[i] : safeGet(a, i), y = HasOwn(b, i) ? b[i] : safeGet(b, i);
        if (x === TAMPERED || y === TAMPERED) return false;
        push(ea, x); push(eb, y);
      }
      if (unordered) return lodashUnordered(ea, eb, sa, sb);
      for (let i = 0; i < ea.length; i++) if (!lodashEqual(ea[i], eb[i], sa, sb, false)) return false;
      return true;
    }
    case '[object Map]':
      if (!isMap(a) || !isMap(b)) return false;
      return MapSize(a) === MapSize(b) && lodashUnordered(mapPairs(a), mapPairs(b), sa, sb);
    case '[object Set]':
      if (!isSet(a) || !isSet(b)) return false;
      return SetSize(a) === SetSize(b) && lodashUnordered(setValues(a), setValues(b), sa, sb);
  }
  if (ta === '[object Object]') {
    const ca = safeGet(a, 'constructor'), cb = safeGet(b, 'constructor');
    if (ca === TAMPERED || cb === TAMPERED) return false;
    if (ca !== cb && 'constructor' in a && 'constructor' in b && !(typeof ca === 'function' && ca instanceof ca && typeof cb === 'function' && cb instanceof cb)) return false;
  }
  const ka = ObjectKeys(a), kb = ObjectKeys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) if (!HasOwn(b, ka[i]) || !lodashEqual(a[ka[i]], b[ka[i]], sa, sb, unordered)) return false;
  return true;
}
function mapPairs(m) { const out = []; MapForEach(m, (v, k) => { push(out, [k, v]); }); return out; }

// Names of the module a stub stands for and of what was used, recorded when a stub throws, so
// that the runner can tell "used something the sandbox lacks" from the program's own errors.
const unsupportedLog = [];
function unsupported(mod, what) {
  what = StringCtor(what);
  if (what.length > 300) what = StringSlice(what, 0, 300) + '...';
  const message = what + " is not available in the sandbox (Node built-in module '" + mod + "')";
  const e = new ErrorCtor(message);
  defProp(e, 'code', 'ERR_ACE_UNSUPPORTED', false);
  let known = false;
  for (let i = 0; i < unsupportedLog.length && !known; i++) known = unsupportedLog[i].message === message;
  if (!known && unsupportedLog.length < 64) push(unsupportedLog, { __proto__: null, mod, what, message });
  return e;
}
// A stand-in for anything of a built-in the sandbox lacks: any property is another stub;
// calling, constructing or turning one into a primitive throws the unsupported error. A
// whole module is an object (typeof 'object', as Node's are), its members callable.
function stub(mod, path, asModule) {
  const fail = () => { throw unsupported(mod, path); };
  const handler = {
    __proto__: null,
    get(t, k) {
      if (k === SymbolToPrimitive || k === 'toString' || k === 'valueOf' || k === 'toJSON') return fail;
      if (typeof k === 'symbol' || k === 'then') return undefined;
      return stub(mod, path.length < 200 ? path + '.' + k : path, false);
    },
  };
  if (asModule) return new ProxyCtor({}, handler);
  handler.apply = () => { throw unsupported(mod, path + '()'); };
  handler.construct = () => { throw unsupported(mod, 'new ' + path + '()'); };
  return new ProxyCtor(function () {}, handler);
}
const NODE_INFO_JSON = ${JSON.stringify(nodeBuiltinInfo())};
let nodeInfoCache = null;
function nodeInfo() {
  if (nodeInfoCache !== null) return nodeInfoCache;
  const j = parse(NODE_INFO_JSON);
  const toSet = (xs) => { const s = new SetCtor(); for (let i = 0; i < xs.length; i++) SetAdd(s, xs[i]); return s; };
  nodeInfoCache = { __proto__: null, builtins: toSet(j.builtins), prefixOnly: toSet(j.prefixOnly), exports: j.exports, hashes: toSet(j.hashes) };
  return nodeInfoCache;
}
/** Adds a stub for each export Node's module has and the sandbox's lacks. */
function addStubs(mod, obj) {
  const names = nodeInfo().exports[mod] || [];
  for (let i = 0; i < names.length; i++) if (!(names[i] in obj)) defProp(obj, names[i], stub(mod, mod + '.' + names[i], false));
  return obj;
}

const fsMod = {
  readFileSync(p, enc) {
    if (p === 0 || p === '/dev/stdin') return input;
    throw nodeErr(ErrorCtor, 'EACCES', "EACCES: file system not available in the sandbox, open '" + StringCtor(p) + "'");
  },
};
// Module factories, run at the first require; the cache makes require('x') === require('node:x').
const factories = {
  __proto__: null,
  fs: () => ObjectFreeze(addStubs('fs', fsMod)),
  readline: () => ObjectFreeze(addStubs('readline', { createInterface: () => emitter({ line: lineCbs, close: closeCbs }) })),
  lodash: () => ObjectFreeze({ isEqual: (a, b) => lodashEqual(a, b, [], [], false) }),
  assert: () => assertPair()[0],
  'assert/strict': () => assertPair()[1],
  util: () => addStubs('util', makeUtil()),
  'util/types': () => require('util').types,
  events: () => addStubs('events', makeEvents()),
  crypto: () => addStubs('crypto', makeCrypto()),
  timers: () => addStubs('timers', {
    setTimeout: defs.setTimeout, setInterval: defs.setInterval, setImmediate: defs.setImmediate,
    clearTimeout: clear, clearInterval: clear, clearImmediate: clear,
  }),
  'timers/promises': () => addStubs('timers/promises', { setTimeout: sleepFor, setImmediate: nextTurn }),
  process: () => proc,
  console: () => con,
};
const moduleCache = ObjectCreate(null);
// Built-ins whose module object is a function in Node (typeof require(x) === 'function').
const CALLABLE_MODULES = { __proto__: null, module: true, test: true, stream: true, _stream_duplex: true, _stream_passthrough: true,
  _stream_readable: true, _stream_transform: true, _stream_wrap: true, _stream_writable: true };
function requireModule(name) {
  if (typeof name !== 'string') throw nodeErr(TypeErrorCtor, 'ERR_INVALID_ARG_TYPE', 'The "id" argument must be of type string. Received ' + describeReceived(name));
  const prefixed = StringSlice(name, 0, 5) === 'node:';
  const id = prefixed ? StringSlice(name, 5) : name;
  const info = nodeInfo();
  let key;
  if (SetHas(info.builtins, id)) key = id;
  else if (prefixed && SetHas(info.prefixOnly, id)) key = name;
  else if (!prefixed && id === 'lodash') key = id;
  else if (prefixed) throw nodeErr(ErrorCtor, 'ERR_UNKNOWN_BUILTIN_MODULE', 'No such built-in module: ' + name);
  else {
    const e = new ErrorCtor("Cannot find module '" + name + "' (not available in the sandbox)");
    defProp(e, 'code', 'MODULE_NOT_FOUND', true);
    throw e;
  }
  if (!HasOwn(moduleCache, key)) defProp(moduleCache, key, factories[key] !== undefined ? factories[key]() : stub(id, id, !CALLABLE_MODULES[id]));
  return moduleCache[key];
}
// (failure detail) -> the module, a newline and what was used, when the failure is an
// unsupported-module error the shim threw, else ''. Plain text, so that nothing the program
// changed decides its shape.
function unsupportedFor(detail) {
  detail = StringCtor2(detail);
  for (let i = 0; i < unsupportedLog.length; i++) {
    const u = unsupportedLog[i];
    if (StringIncludes(detail, u.message)) return u.mod + '\\n' + u.what;
  }
  return '';
}
// Promise forms on virtual time: timers/promises, and util.promisify(setTimeout) as in Node.
function sleepFor(ms, value) { return new PromiseCtor((resolve) => { addTimer(() => resolve(value), ms, [], false); }); }
function nextTurn(value) { return new PromiseCtor((resolve) => { addTimer(() => resolve(value), 0, [], false); }); }
LIB = { __proto__: null, requireModule, unsupportedFor, sleepFor, nextTurn };
return LIB;
}
function require(name) { return lib().requireModule(name); }

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
// util.promisify(setTimeout) / (setImmediate) as in Node, on virtual time.
Object.defineProperty(defs.setTimeout, Symbol.for('nodejs.util.promisify.custom'), { value: (ms, value) => lib().sleepFor(ms, value) });
Object.defineProperty(defs.setImmediate, Symbol.for('nodejs.util.promisify.custom'), { value: (value) => lib().nextTurn(value) });
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
  // (failure detail) -> 'module' + newline + 'what' for the shim's unsupported-module error, else ''.
  unsupportedFor(detail) { return LIB === null ? '' : LIB.unsupportedFor(detail); },
};
Object.defineProperty(G, '__ace', { value: Object.freeze(api), writable: false, configurable: false, enumerable: false });
})();`;
}
