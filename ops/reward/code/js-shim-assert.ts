// In-isolate source (a fragment of js-shim.ts's shim): Node's deep equality and the `assert`
// module as JavaScript tests call them. nodeDeepEqual follows Node 20's documented rules:
// loose mode (assert.deepEqual) compares primitives with == (NaN equals NaN), ignores
// prototypes and symbol keys, matches Map/Set entries loosely; strict mode
// (deepStrictEqual, util.isDeepStrictEqual) uses Object.is, the same [[Prototype]] and
// enumerable symbol keys. Both compare type tags, Date time values, RegExp source/flags/
// lastIndex, Error name/message/cause/errors, typed array bytes (loose float arrays by
// value), boxed primitives, and stop on cycles the way Node does. Written for the shim from
// those rules; test/reward-code/assert-differential.test.ts checks it against node:assert.
// Uses only the captured built-ins of js-shim-prims.ts.
export const ASSERT_SRC = String.raw`
const K_NONE = 0, K_ARRAY = 1, K_SET = 2, K_MAP = 3;

function nodeDeepEqual(a, b, strict, memo) {
  if (a === b) return a !== 0 || ObjectIs(a, b) || !strict;
  if (strict) {
    if (typeof a === 'number') return NumberIsNaN(a) && NumberIsNaN(b);
    if (!isObjLike(a) || !isObjLike(b) || ObjectGetPrototypeOf(a) !== ObjectGetPrototypeOf(b)) return false;
  } else {
    if (!isObjLike(a)) return !isObjLike(b) && (a == b || (NumberIsNaN(a) && NumberIsNaN(b)));
    if (!isObjLike(b)) return false;
  }
  const tag = tagOf(a);
  if (tag === null || tag !== tagOf(b)) return false;
  if (ArrayIsArray(a)) {
    if (!ArrayIsArray(b) || a.length !== b.length) return false;
    const ka = nonIndexKeys(a, strict);
    if (ka.length !== nonIndexKeys(b, strict).length) return false;
    return sameKeys(a, b, strict, memo, K_ARRAY, ka);
  }
  if (tag === '[object Object]') return sameKeys(a, b, strict, memo, K_NONE, undefined);
  if (isDate(a)) {
    if (!isDate(b) || DateGetTime(a) !== DateGetTime(b)) return false;
  } else if (isRegExp(a)) {
    if (!isRegExp(b) || RegExpSource(a) !== RegExpSource(b) || RegExpFlags(a) !== RegExpFlags(b) || a.lastIndex !== b.lastIndex) return false;
  } else if (isView(a)) {
    if (TATag(a) !== TATag(b)) return false;
    if (!strict && (TATag(a) === 'Float32Array' || TATag(a) === 'Float64Array')) {
      if (TAByteLength(a) !== TAByteLength(b)) return false;
      const n = TALength(a);
      for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
    } else if (!isView(b) || !sameBytes(viewBytes(a), viewBytes(b))) return false;
    const ka = nonIndexKeys(a, strict);
    if (ka.length !== nonIndexKeys(b, strict).length) return false;
    return sameKeys(a, b, strict, memo, K_NONE, ka);
  } else if (isSet(a)) {
    if (!isSet(b) || SetSize(a) !== SetSize(b)) return false;
    return sameKeys(a, b, strict, memo, K_SET, undefined);
  } else if (isMap(a)) {
    if (!isMap(b) || MapSize(a) !== MapSize(b)) return false;
    return sameKeys(a, b, strict, memo, K_MAP, undefined);
  } else if (isAnyArrayBuffer(a)) {
    if (!isAnyArrayBuffer(b) || !sameBytes(new Uint8ArrayCtor(a), new Uint8ArrayCtor(b))) return false;
  } else if (isErrorLike(a)) {
    if (!isErrorLike(b) || !sameErrorFields(a, b, strict, memo)) return false;
  } else if (boxedKind(a) !== null) {
    if (!sameBoxed(a, b)) return false;
  } else if (ArrayIsArray(b) || isView(b) || isSet(b) || isMap(b) || isDate(b) || isRegExp(b) || isAnyArrayBuffer(b) || boxedKind(b) !== null || isErrorLike(b)) {
    return false;
  }
  return sameKeys(a, b, strict, memo, K_NONE, undefined);
}

// Errors: message and name (by value) and cause and errors (deeply) count even when they are
// not enumerable; an enumerable one on one side must be enumerable on the other.
function sameErrorFields(a, b, strict, memo) {
  for (let i = 0; i < 4; i++) {
    const k = i === 0 ? 'message' : i === 1 ? 'name' : i === 2 ? 'cause' : 'errors';
    const enumerable = IsEnumerable(a, k);
    if (enumerable !== IsEnumerable(b, k)) return false;
    if (enumerable) continue;
    const x = safeGet(a, k), y = safeGet(b, k);
    if (x === TAMPERED || y === TAMPERED) return false;
    if (i < 2 ? x !== y : !nodeDeepEqual(x, y, strict, memo)) return false;
  }
  return true;
}

function sameBytes(x, y) {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function sameBoxed(a, b) {
  const k = boxedKind(a);
  if (k !== boxedKind(b)) return false;
  switch (k) {
    case 'number': return ObjectIs(NumberValueOf(a), NumberValueOf(b));
    case 'string': return StringValueOf(a) === StringValueOf(b);
    case 'boolean': return BooleanValueOf(a) === BooleanValueOf(b);
    case 'bigint': return BigIntValueOf(a) === BigIntValueOf(b);
    default: return SymbolValueOf(a) === SymbolValueOf(b);
  }
}

function countEnumerable(o, ks) {
  let n = 0;
  for (let i = 0; i < ks.length; i++) if (IsEnumerable(o, ks[i])) n++;
  return n;
}

// Own keys (given for arrays and typed arrays: their non-index keys), then the contents.
// Cycles: the first two levels are remembered as pairs, deeper ones in a set of the objects on
// the current path; a pair both of whose objects are already on it counts as equal.
function sameKeys(a, b, strict, memo, kind, aKeys) {
  const arrayLike = aKeys !== undefined;
  if (!arrayLike) aKeys = ObjectKeys(a);
  for (let i = 0; i < aKeys.length; i++) if (!IsEnumerable(b, aKeys[i])) return false;
  if (!arrayLike) {
    if (aKeys.length !== ObjectKeys(b).length) return false;
    if (strict) {
      const sa = ObjectGetOwnPropertySymbols(a);
      let count = 0;
      for (let i = 0; i < sa.length; i++) {
        const k = sa[i];
        if (IsEnumerable(a, k)) {
          if (!IsEnumerable(b, k)) return false;
          push(aKeys, k);
          count++;
        } else if (IsEnumerable(b, k)) return false;
      }
      const sb = ObjectGetOwnPropertySymbols(b);
      if (sa.length !== sb.length && countEnumerable(b, sb) !== count) return false;
    }
  }
  if (aKeys.length === 0) {
    if (kind === K_NONE || (kind === K_ARRAY && a.length === 0)) return true;
    if ((kind === K_SET && SetSize(a) === 0) || (kind === K_MAP && MapSize(a) === 0)) return true;
  }
  if (memo === undefined) {
    memo = { __proto__: null, set: undefined, a, b, c: undefined, d: undefined, deep: false, deleteFailures: false };
    return sameContents(a, b, strict, aKeys, memo, kind);
  }
  if (memo.set === undefined) {
    if (memo.deep === false) {
      if (memo.a === a && memo.b === b) return true;
      memo.c = a;
      memo.d = b;
      memo.deep = true;
      const r = sameContents(a, b, strict, aKeys, memo, kind);
      memo.deep = false;
      return r;
    }
    memo.set = new SetCtor();
    SetAdd(memo.set, memo.a); SetAdd(memo.set, memo.b); SetAdd(memo.set, memo.c); SetAdd(memo.set, memo.d);
  }
  const set = memo.set;
  const before = SetSize(set);
  SetAdd(set, a);
  SetAdd(set, b);
  if (SetSize(set) === before) return true;
  const r = sameContents(a, b, strict, aKeys, memo, kind);
  if (r || memo.deleteFailures) { SetDelete(set, a); SetDelete(set, b); }
  return r;
}

function sameContents(a, b, strict, keys, memo, kind) {
  for (let i = 0; i < keys.length; i++) if (!nodeDeepEqual(a[keys[i]], b[keys[i]], strict, memo)) return false;
  if (kind === K_ARRAY) {
    for (let i = 0; i < a.length; i++) {
      if (HasOwn(a, i)) {
        if (!HasOwn(b, i) || !nodeDeepEqual(a[i], b[i], strict, memo)) return false;
      } else if (HasOwn(b, i)) {
        return false;
      } else {
        // A hole: the remaining own keys of both, as plain properties.
        const ka = ObjectKeys(a);
        for (let j = i; j < ka.length; j++) {
          const k = ka[j];
          if (!HasOwn(b, k) || !nodeDeepEqual(a[k], b[k], strict, memo)) return false;
        }
        return ka.length === ObjectKeys(b).length;
      }
    }
  } else if (kind === K_SET) {
    return sameSetEntries(a, b, strict, memo);
  } else if (kind === K_MAP) {
    return sameMapEntries(a, b, strict, memo);
  }
  return true;
}

// Values waiting for a partner during a Set/Map comparison (insertion order, each taken once).
function pending() { return { __proto__: null, items: [], taken: [], open: 0 }; }
function pendingAdd(p, v) { push(p.items, v); push(p.taken, false); p.open++; }
function setValues(s) { const out = []; SetForEach(s, (v) => { push(out, v); }); return out; }
function mapEntries(m) { const out = []; MapForEach(m, (v, k) => { push(out, k); push(out, v); }); return out; }

// In loose mode a primitive without an exact partner may still have a loose one: true/false
// says whether one can exist; for null and undefined (undefined/null returned) the other
// one must be in b and not in a.
function looseCounterpart(p) {
  switch (typeof p) {
    case 'undefined': return null;
    case 'object': return undefined;
    case 'symbol': return false;
    case 'string': return !NumberIsNaN(+p);
    case 'number': return !NumberIsNaN(p);
    default: return true;
  }
}

function takePartner(p, matches) {
  const saved = p.deleteFailuresOwner.deleteFailures;
  p.deleteFailuresOwner.deleteFailures = true;
  for (let i = 0; i < p.items.length; i++) {
    if (!p.taken[i] && matches(p.items[i])) {
      p.taken[i] = true;
      p.open--;
      p.deleteFailuresOwner.deleteFailures = saved;
      return true;
    }
  }
  p.deleteFailuresOwner.deleteFailures = saved;
  return false;
}

function sameSetEntries(a, b, strict, memo) {
  let p = null;
  const av = setValues(a);
  for (let i = 0; i < av.length; i++) {
    const v = av[i];
    if (SetHas(b, v)) continue;
    if (!isObjLike(v)) {
      if (strict) return false;
      const alt = looseCounterpart(v);
      if (alt !== null && alt !== undefined) { if (!alt) return false; }
      else if (!SetHas(b, alt) || SetHas(a, alt)) return false;
    }
    if (p === null) {
      if (SetSize(b) === 1) return nodeDeepEqual(v, setValues(b)[0], strict, memo);
      p = pending();
      p.deleteFailuresOwner = memo;
    }
    pendingAdd(p, v);
  }
  if (p === null) return true;
  const bv = setValues(b);
  for (let i = 0; i < bv.length; i++) {
    const v = bv[i];
    if (isObjLike(v) || !strict) {
      if (!SetHas(a, v) && !takePartner(p, (x) => nodeDeepEqual(x, v, strict, memo))) return false;
    }
  }
  return p.open === 0;
}

function sameMapEntries(a, b, strict, memo) {
  let p = null;
  const ae = mapEntries(a);
  for (let i = 0; i < ae.length; i += 2) {
    const k = ae[i], v1 = ae[i + 1];
    if (isObjLike(k)) {
      if (p === null) {
        if (MapSize(b) === 1) {
          const be = mapEntries(b);
          return nodeDeepEqual(k, be[0], strict, memo) && nodeDeepEqual(v1, be[1], strict, memo);
        }
        p = pending();
        p.deleteFailuresOwner = memo;
      }
      pendingAdd(p, k);
      continue;
    }
    const v2 = MapGet(b, k);
    if ((v2 === undefined && !MapHas(b, k)) || !nodeDeepEqual(v1, v2, strict, memo)) {
      if (strict) return false;
      const alt = looseCounterpart(k);
      if (alt !== null && alt !== undefined) { if (!alt) return false; }
      else {
        const cur = MapGet(b, alt);
        if ((cur === undefined && !MapHas(b, alt)) || !nodeDeepEqual(v1, cur, false, memo)) return false;
        if (MapHas(a, alt) || !nodeDeepEqual(v1, cur, false, memo)) return false;
      }
      if (p === null) { p = pending(); p.deleteFailuresOwner = memo; }
      pendingAdd(p, k);
    }
  }
  if (p === null) return true;
  const be = mapEntries(b);
  for (let i = 0; i < be.length; i += 2) {
    const k = be[i], v = be[i + 1];
    const entryMatch = (k1) => nodeDeepEqual(k1, k, strict, memo) && nodeDeepEqual(MapGet(a, k1), v, strict, memo);
    if (isObjLike(k)) {
      if (!takePartner(p, entryMatch)) return false;
    } else if (!strict && (!MapHas(a, k) || !nodeDeepEqual(MapGet(a, k), v, strict, memo)) && !takePartner(p, entryMatch)) {
      return false;
    }
  }
  return p.open === 0;
}

// ---- the assert module ----
function briefInspect(v) {
  let s;
  try { s = inspect(v, { depth: 3 }); } catch (e) { s = '<uninspectable>'; }
  return s.length > 512 ? StringSlice(s, 0, 512) + '...' : s;
}
function nodeErr(Ctor, code, message) {
  const e = new Ctor(message);
  defProp(e, 'code', code);
  return e;
}
const OPERATOR_TEXT = {
  __proto__: null,
  deepEqual: 'Expected values to be loosely deep-equal:', deepStrictEqual: 'Expected values to be strictly deep-equal:',
  strictEqual: 'Expected values to be strictly equal:', notDeepEqual: 'Expected "actual" not to be loosely deep-equal to:',
  notDeepStrictEqual: 'Expected "actual" not to be strictly deep-equal to:', notStrictEqual: 'Expected "actual" to be strictly unequal to:',
};
let AssertionErrorClass = null;
/** Node's assert.AssertionError, created at first use (class creation is not free per context). */
function AE() {
  if (AssertionErrorClass !== null) return AssertionErrorClass;
  class AssertionError extends ErrorCtor {
    constructor(options) {
      if (!isObjLike(options)) throw nodeErr(TypeErrorCtor, 'ERR_INVALID_ARG_TYPE', 'The "options" argument must be of type object.');
      const message = options.message, actual = options.actual, expected = options.expected, operator = options.operator;
      let text;
      if (message !== undefined && message !== null) text = StringCtor2(message);
      else if (OPERATOR_TEXT[operator] !== undefined) {
        const negated = StringIndexOf(operator, 'not') === 0;
        text = OPERATOR_TEXT[operator] + '\n\n' + (negated ? briefInspect(expected) : briefInspect(actual) + '\n\nshould equal\n\n' + briefInspect(expected));
      } else text = briefInspect(actual) + ' ' + StringCtor2(operator) + ' ' + briefInspect(expected);
      super(text);
      defProp(this, 'name', 'AssertionError', false);
      defProp(this, 'generatedMessage', message === undefined || message === null);
      defProp(this, 'code', 'ERR_ASSERTION');
      defProp(this, 'actual', actual);
      defProp(this, 'expected', expected);
      defProp(this, 'operator', operator);
    }
  }
  AssertionErrorClass = AssertionError;
  return AssertionError;
}
function raise(actual, expected, message, operator) {
  if (isErrorLike(message)) throw message;
  throw new (AE())({ __proto__: null, actual, expected, message, operator });
}
function needTwo(n) {
  if (n < 2) throw nodeErr(TypeErrorCtor, 'ERR_MISSING_ARGS', 'The "actual" and "expected" arguments must be specified');
}
function innerOk(argc, value, message) {
  if (value) return;
  let generated = false;
  if (argc === 0) { generated = true; message = 'No value argument passed to ' + '\x60assert.ok()\x60'; }
  else if (message === undefined || message === null) { generated = true; message = 'The expression evaluated to a falsy value:\n\n  assert.ok(' + briefInspect(value) + ')\n'; }
  else if (isErrorLike(message)) throw message;
  const err = new (AE())({ __proto__: null, actual: value, expected: true, message, operator: '==' });
  err.generatedMessage = generated;
  throw err;
}
function checkFn(fn, name) {
  if (typeof fn !== 'function') throw nodeErr(TypeErrorCtor, 'ERR_INVALID_ARG_TYPE', 'The "' + name + '" argument must be of type function. Received ' + briefInspect(fn));
}
function assertionFor(actual, expected, message, operator, generated) {
  const err = new (AE())({ __proto__: null, actual, expected, message, operator });
  if (generated !== undefined) err.generatedMessage = generated;
  return err;
}
// Does a thrown value satisfy the expectation given to throws/rejects (RegExp, object of
// expected properties, Error class, or validation function)? Throws the AssertionError if not.
function expectedException(actual, expected, message, operator) {
  if (typeof expected !== 'function') {
    if (isRegExp(expected)) {
      const str = StringCtor2(actual);
      if (RegExpExec(expected, str) !== null) return;
      const generated = !message;
      if (generated) message = 'The input did not match the regular expression ' + briefInspect(expected) + '. Input:\n\n' + briefInspect(str) + '\n';
      throw assertionFor(actual, expected, message, operator, generated);
    }
    if (!isObjLike(actual)) throw assertionFor(actual, expected, message, operator);
    const keys = ObjectKeys(expected);
    if (IsPrototypeOf(ErrorProto, expected)) { push(keys, 'name'); push(keys, 'message'); }
    else if (keys.length === 0) throw nodeErr(TypeErrorCtor, 'ERR_INVALID_ARG_VALUE', "The argument 'error' may not be an empty object. Received {}");
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (typeof actual[k] === 'string' && isRegExp(expected[k]) && RegExpExec(expected[k], actual[k]) !== null) continue;
      if (!(k in actual) || !nodeDeepEqual(actual[k], expected[k], true, undefined)) {
        if (isErrorLike(message)) throw message;
        throw assertionFor(actual, expected, message, operator);
      }
    }
    return;
  }
  if (expected.prototype !== undefined && actual instanceof expected) return;
  if (IsPrototypeOf(ErrorCtor, expected)) {
    const generated = !message;
    if (generated) {
      message = 'The error is expected to be an instance of "' + expected.name + '". Received ';
      if (isErrorLike(actual)) {
        const name = (actual.constructor && actual.constructor.name) || actual.name;
        message += expected.name === name ? 'an error with identical name but a different prototype.' : '"' + name + '"';
        if (actual.message) message += '\n\nError message:\n\n' + actual.message;
      } else message += '"' + briefInspect(actual) + '"';
    }
    throw assertionFor(actual, expected, message, operator, generated);
  }
  const res = ReflectApply(expected, {}, [actual]);
  if (res !== true) {
    const generated = !message;
    if (generated) message = 'The ' + (expected.name ? '"' + expected.name + '" ' : '') + 'validation function is expected to return "true". Received ' + briefInspect(res);
    throw assertionFor(actual, expected, message, operator, generated);
  }
}
function matchesError(actual, expected) {
  if (typeof expected !== 'function') {
    if (isRegExp(expected)) return RegExpExec(expected, StringCtor2(actual)) !== null;
    throw nodeErr(TypeErrorCtor, 'ERR_INVALID_ARG_TYPE', 'The "expected" argument must be of type function or an instance of RegExp. Received ' + briefInspect(expected));
  }
  if (expected.prototype !== undefined && actual instanceof expected) return true;
  if (IsPrototypeOf(ErrorCtor, expected)) return false;
  return ReflectApply(expected, {}, [actual]) === true;
}
const NOTHING = { __proto__: null };
function threwOf(fn) {
  checkFn(fn, 'fn');
  try { fn(); } catch (e) { return e; }
  return NOTHING;
}
// assert.throws / rejects once the outcome is known: args are what followed the function.
function expectsError(kind, actual, args) {
  let error = args[0], message = args[1];
  if (typeof error === 'string') {
    if (args.length === 2) throw nodeErr(TypeErrorCtor, 'ERR_INVALID_ARG_TYPE', 'The "error" argument must be of type function or an instance of Error, RegExp, or Object. Received type string');
    if (isObjLike(actual) ? actual.message === error : actual === error) {
      throw nodeErr(TypeErrorCtor, 'ERR_AMBIGUOUS_ARGUMENT', 'The "error/message" argument is ambiguous. The error message "' + StringCtor2(error) + '" is identical to the message.');
    }
    message = error;
    error = undefined;
  } else if (error !== null && error !== undefined && typeof error !== 'object' && typeof error !== 'function') {
    throw nodeErr(TypeErrorCtor, 'ERR_INVALID_ARG_TYPE', 'The "error" argument must be of type function or an instance of Error, RegExp, or Object. Received ' + briefInspect(error));
  }
  const operator = kind === 'exception' ? 'throws' : 'rejects';
  if (actual === NOTHING) {
    let details = '';
    if (error && error.name) details += ' (' + error.name + ')';
    details += message ? ': ' + message : '.';
    raise(undefined, error, 'Missing expected ' + kind + details, operator);
  }
  if (!error) return;
  expectedException(actual, error, message, operator);
}
function expectsNoError(kind, actual, args) {
  if (actual === NOTHING) return;
  let error = args[0], message = args[1];
  if (typeof error === 'string') { message = error; error = undefined; }
  if (!error || matchesError(actual, error)) {
    const details = message ? ': ' + message : '.';
    raise(actual, error, 'Got unwanted ' + kind + details + '\nActual message: "' + StringCtor2(actual && actual.message) + '"', kind === 'exception' ? 'doesNotThrow' : 'doesNotReject');
  }
  throw actual;
}
function isThenable(o) {
  return ObjectToString(o) === '[object Promise]' || (isObjLike(o) && typeof o.then === 'function' && typeof o.catch === 'function');
}
// Settles promiseFn (a function returning a promise, or a promise) to its rejection or NOTHING.
function waitForActual(promiseFn) {
  return new PromiseCtor((resolve, reject) => {
    let p;
    if (typeof promiseFn === 'function') {
      p = promiseFn();
      if (!isThenable(p)) throw nodeErr(TypeErrorCtor, 'ERR_INVALID_RETURN_VALUE', 'Expected instance of Promise to be returned from the "promiseFn" function but got ' + briefInspect(p) + '.');
    } else if (isThenable(promiseFn)) p = promiseFn;
    else throw nodeErr(TypeErrorCtor, 'ERR_INVALID_ARG_TYPE', 'The "promiseFn" argument must be of type function or an instance of Promise. Received ' + briefInspect(promiseFn));
    p.then(() => resolve(NOTHING), (e) => resolve(e));
  });
}
function matchOrNot(string, regexp, message, want) {
  if (!isRegExp(regexp)) throw nodeErr(TypeErrorCtor, 'ERR_INVALID_ARG_TYPE', 'The "regexp" argument must be an instance of RegExp. Received ' + briefInspect(regexp));
  if (typeof string !== 'string' || (RegExpExec(regexp, string) !== null) !== want) {
    if (isErrorLike(message)) throw message;
    const generated = !message;
    if (generated) {
      message = typeof string !== 'string'
        ? 'The "string" argument must be of type string. Received type ' + typeof string + ' (' + briefInspect(string) + ')'
        : (want ? 'The input did not match the regular expression ' : 'The input was expected to not match the regular expression ') + briefInspect(regexp) + '. Input:\n\n' + briefInspect(string) + '\n';
    }
    throw assertionFor(string, regexp, message, want ? 'match' : 'doesNotMatch', generated);
  }
}
function makeAssert(strictMode) {
  const A = {
    __proto__: null,
    ok(...args) { innerOk(args.length, args[0], args[1]); },
    fail(actual, expected, message, operator) {
      const n = arguments.length;
      let generated = false;
      if ((actual === undefined || actual === null) && n <= 1) { generated = true; message = 'Failed'; }
      else if (n === 1) { message = actual; actual = undefined; }
      else if (n === 2) operator = '!=';
      if (isErrorLike(message)) throw message;
      const err = new (AE())({ __proto__: null, actual, expected, message, operator: operator === undefined ? 'fail' : operator });
      if (generated) err.generatedMessage = true;
      throw err;
    },
    equal(actual, expected, message) {
      needTwo(arguments.length);
      if (actual != expected && (!NumberIsNaN(actual) || !NumberIsNaN(expected))) raise(actual, expected, message, '==');
    },
    notEqual(actual, expected, message) {
      needTwo(arguments.length);
      if (actual == expected || (NumberIsNaN(actual) && NumberIsNaN(expected))) raise(actual, expected, message, '!=');
    },
    deepEqual(actual, expected, message) {
      needTwo(arguments.length);
      if (!nodeDeepEqual(actual, expected, false, undefined)) raise(actual, expected, message, 'deepEqual');
    },
    notDeepEqual(actual, expected, message) {
      needTwo(arguments.length);
      if (nodeDeepEqual(actual, expected, false, undefined)) raise(actual, expected, message, 'notDeepEqual');
    },
    deepStrictEqual(actual, expected, message) {
      needTwo(arguments.length);
      if (!nodeDeepEqual(actual, expected, true, undefined)) raise(actual, expected, message, 'deepStrictEqual');
    },
    notDeepStrictEqual(actual, expected, message) {
      needTwo(arguments.length);
      if (nodeDeepEqual(actual, expected, true, undefined)) raise(actual, expected, message, 'notDeepStrictEqual');
    },
    strictEqual(actual, expected, message) {
      needTwo(arguments.length);
      if (!ObjectIs(actual, expected)) raise(actual, expected, message, 'strictEqual');
    },
    notStrictEqual(actual, expected, message) {
      needTwo(arguments.length);
      if (ObjectIs(actual, expected)) raise(actual, expected, message, 'notStrictEqual');
    },
    throws(fn, ...args) { expectsError('exception', threwOf(fn), args); },
    doesNotThrow(fn, ...args) { expectsNoError('exception', threwOf(fn), args); },
    rejects(promiseFn, ...args) { return PromiseThen(waitForActual(promiseFn), (actual) => expectsError('rejection', actual, args)); },
    doesNotReject(fn, ...args) { return PromiseThen(waitForActual(fn), (actual) => expectsNoError('rejection', actual, args)); },
    ifError(err) {
      if (err === null || err === undefined) return;
      let m = 'ifError got unwanted exception: ';
      if (typeof err === 'object' && typeof err.message === 'string') m += err.message.length === 0 && err.constructor ? err.constructor.name : err.message;
      else m += briefInspect(err);
      throw new (AE())({ __proto__: null, actual: err, expected: null, operator: 'ifError', message: m });
    },
    match(string, regexp, message) { matchOrNot(string, regexp, message, true); },
    doesNotMatch(string, regexp, message) { matchOrNot(string, regexp, message, false); },
  };
  if (strictMode) {
    A.equal = A.strictEqual; A.notEqual = A.notStrictEqual;
    A.deepEqual = A.deepStrictEqual; A.notDeepEqual = A.notDeepStrictEqual;
  }
  const mod = function ok(...args) { innerOk(args.length, args[0], args[1]); };
  const names = ['fail', 'ok', 'equal', 'notEqual', 'deepEqual', 'notDeepEqual', 'deepStrictEqual', 'notDeepStrictEqual', 'strictEqual', 'notStrictEqual', 'throws', 'rejects', 'doesNotThrow', 'doesNotReject', 'ifError', 'match', 'doesNotMatch'];
  defProp(mod, 'AssertionError', AE());
  for (let i = 0; i < names.length; i++) defProp(mod, names[i], A[names[i]]);
  return mod;
}
let assertModules = null;
/** [legacy, strict]: frozen, so that a program cannot swap the functions its tests call. */
function assertPair() {
  if (assertModules !== null) return assertModules;
  const legacy = makeAssert(false), strict = makeAssert(true);
  defProp(legacy, 'strict', strict);
  defProp(strict, 'strict', strict);
  addStubs('assert', legacy); addStubs('assert', strict);
  ObjectFreeze(legacy); ObjectFreeze(strict);
  assertModules = [legacy, strict];
  return assertModules;
}
`;
