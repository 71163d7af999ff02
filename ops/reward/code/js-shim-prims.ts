// In-isolate source (fragments of js-shim.ts's shim): the built-ins the shim's modules use.
// RAW_SRC runs before any program and only takes references (cheap: every context pays
// it); PRIMS_SRC runs inside the lazily built library and turns them into the functions the
// modules call. So a program replacing Array.prototype.push, Function.prototype.call,
// Object.keys or Map.prototype.size cannot steer assert, lodash or the hashes. Prototype
// methods go through `uncurry` (a bound Function.prototype.call), which looks nothing up
// when called. Not a general primordials library: only what the fragments need.
export const RAW_SRC = String.raw`
const uncurry = Function.prototype.bind.bind(Function.prototype.call);
const getRaw = (proto, key) => Object.getOwnPropertyDescriptor(proto, key).get;
const RAW = {
  __proto__: null,
  Object, ObjectProto: Object.prototype, keys: Object.keys, getOwnPropertySymbols: Object.getOwnPropertySymbols,
  getOwnPropertyNames: Object.getOwnPropertyNames, getOwnPropertyDescriptor: Object.getOwnPropertyDescriptor,
  getOwnPropertyDescriptors: Object.getOwnPropertyDescriptors, defineProperty: Object.defineProperty,
  defineProperties: Object.defineProperties, freeze: Object.freeze, create: Object.create, setPrototypeOf: Object.setPrototypeOf,
  getPrototypeOf: Object.getPrototypeOf, is: Object.is, ownKeys: Reflect.ownKeys, apply: Reflect.apply,
  isArray: Array.isArray, isView: ArrayBuffer.isView, isNaN: Number.isNaN, parseInt: Number.parseInt, parseFloat: Number.parseFloat,
  fromCharCode: String.fromCharCode, symbolFor: Symbol.for, floor: Math.floor, min: Math.min, max: Math.max, abs: Math.abs,
  sin: Math.sin, sqrt: Math.sqrt, round: Math.round, stringify: JSON.stringify, parse: JSON.parse,
  Number, String, Symbol, Boolean, BigInt, Error, TypeError, RangeError, Proxy, Promise, Map, Set, Date, RegExp, Array,
  ArrayBuffer, SharedArrayBuffer: typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer : null, DataView,
  Uint8Array, Int32Array, TypedArrayProto: Object.getPrototypeOf(Uint8Array.prototype),
  ctors: [Object, Function, Array, Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError,
    typeof AggregateError === 'function' ? AggregateError : Error, Number, String, Boolean, Symbol, BigInt, Date, RegExp, Map, Set,
    WeakMap, WeakSet, Promise, ArrayBuffer, typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer : ArrayBuffer, DataView,
    Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array,
    BigInt64Array, BigUint64Array],
  protoMethods: [Object.prototype.toString, Object.prototype.hasOwnProperty, Object.prototype.propertyIsEnumerable,
    Object.prototype.isPrototypeOf, String.prototype.charCodeAt, String.prototype.slice, String.prototype.indexOf,
    String.prototype.includes, String.prototype.repeat, String.prototype.toLowerCase, Symbol.prototype.toString,
    Promise.prototype.then, Function.prototype.toString, Map.prototype.get, Map.prototype.set, Map.prototype.has,
    Map.prototype.delete, Map.prototype.forEach, Set.prototype.has, Set.prototype.add, Set.prototype.forEach, Set.prototype.delete,
    Date.prototype.getTime, Date.prototype.toISOString, Date.prototype.toString, RegExp.prototype.exec, RegExp.prototype.toString,
    Number.prototype.valueOf, String.prototype.valueOf, Boolean.prototype.valueOf, BigInt.prototype.valueOf, Symbol.prototype.valueOf],
  getters: [getRaw(Map.prototype, 'size'), getRaw(Set.prototype, 'size'), getRaw(RegExp.prototype, 'source'),
    getRaw(RegExp.prototype, 'flags'), getRaw(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag),
    getRaw(Object.getPrototypeOf(Uint8Array.prototype), 'length'), getRaw(Object.getPrototypeOf(Uint8Array.prototype), 'buffer'),
    getRaw(Object.getPrototypeOf(Uint8Array.prototype), 'byteOffset'), getRaw(Object.getPrototypeOf(Uint8Array.prototype), 'byteLength'),
    getRaw(DataView.prototype, 'buffer'), getRaw(DataView.prototype, 'byteOffset'), getRaw(DataView.prototype, 'byteLength'),
    getRaw(ArrayBuffer.prototype, 'byteLength'),
    typeof SharedArrayBuffer === 'function' ? getRaw(SharedArrayBuffer.prototype, 'byteLength') : null],
};
`;

export const PRIMS_SRC = String.raw`
const ObjectKeys = RAW.keys, ObjectGetOwnPropertySymbols = RAW.getOwnPropertySymbols, ObjectGetOwnPropertyNames = RAW.getOwnPropertyNames;
const ObjectGetOwnPropertyDescriptor = RAW.getOwnPropertyDescriptor, ObjectGetOwnPropertyDescriptors = RAW.getOwnPropertyDescriptors;
const ObjectDefineProperty = RAW.defineProperty, ObjectDefineProperties = RAW.defineProperties;
const ObjectFreeze = RAW.freeze, ObjectCreate = RAW.create, ObjectSetPrototypeOf = RAW.setPrototypeOf;
const ObjectGetPrototypeOf = RAW.getPrototypeOf, ObjectIs = RAW.is;
const U_protoMethods = uncurryAll(RAW.protoMethods);
const ObjectToString = U_protoMethods[0], HasOwn = U_protoMethods[1], IsEnumerable = U_protoMethods[2], IsPrototypeOf = U_protoMethods[3], StringCharCodeAt = U_protoMethods[4], StringSlice = U_protoMethods[5];
const StringIndexOf = U_protoMethods[6], StringIncludes = U_protoMethods[7], StringRepeat = U_protoMethods[8], StringToLowerCase = U_protoMethods[9], SymbolToString = U_protoMethods[10], PromiseThen = U_protoMethods[11];
const FunctionToString = U_protoMethods[12], MapGet = U_protoMethods[13], MapSet = U_protoMethods[14], MapHas = U_protoMethods[15], MapDelete = U_protoMethods[16], MapForEach = U_protoMethods[17];
const SetHas = U_protoMethods[18], SetAdd = U_protoMethods[19], SetForEach = U_protoMethods[20], SetDelete = U_protoMethods[21], DateGetTime = U_protoMethods[22], DateToISOString = U_protoMethods[23];
const DateToString = U_protoMethods[24], RegExpExec = U_protoMethods[25], RegExpToString = U_protoMethods[26], NumberValueOf = U_protoMethods[27], StringValueOf = U_protoMethods[28], BooleanValueOf = U_protoMethods[29];
const BigIntValueOf = U_protoMethods[30], SymbolValueOf = U_protoMethods[31];
const ReflectOwnKeys = RAW.ownKeys, ReflectApply = RAW.apply;
const ArrayIsArray = RAW.isArray, ArrayBufferIsView = RAW.isView;
const NumberIsNaN = RAW.isNaN, NumberCtor = RAW.Number, NumberParseInt = RAW.parseInt, NumberParseFloat = RAW.parseFloat;
const StringCtor2 = RAW.String, StringFromCharCode = RAW.fromCharCode;
const SymbolCtor = RAW.Symbol, SymbolFor = RAW.symbolFor;
const SymbolIterator = RAW.Symbol.iterator, SymbolToStringTag = RAW.Symbol.toStringTag, SymbolToPrimitive = RAW.Symbol.toPrimitive;
const MathFloor = RAW.floor, MathMin = RAW.min, MathMax = RAW.max, MathAbs = RAW.abs, MathSin = RAW.sin, MathSqrt = RAW.sqrt, MathRound = RAW.round;
const ErrorCtor = RAW.Error, TypeErrorCtor = RAW.TypeError, RangeErrorCtor = RAW.RangeError, ErrorProto = RAW.Error.prototype;
const ProxyCtor = RAW.Proxy, PromiseCtor = RAW.Promise;
const BigIntCtor = RAW.BigInt, Uint8ArrayCtor = RAW.Uint8Array, Int32ArrayCtor = RAW.Int32Array, ArrayCtor = RAW.Array;
const MapCtor = RAW.Map, SetCtor = RAW.Set;
const RegExpProto = RAW.RegExp.prototype, TypedArrayProto = RAW.TypedArrayProto;
const TATagRaw = RAW.getters[4];
const U_getters = uncurryAll(RAW.getters);
const MapSize = U_getters[0], SetSize = U_getters[1], RegExpSource = U_getters[2], RegExpFlags = U_getters[3], TATag = U_getters[4], TALength = U_getters[5];
const TABuffer = U_getters[6], TAByteOffset = U_getters[7], TAByteLength = U_getters[8], DVBuffer = U_getters[9], DVByteOffset = U_getters[10], DVByteLength = U_getters[11];
const ABByteLength = U_getters[12], SABByteLength = U_getters[13];
function uncurryAll(fns) {
  const out = [];
  for (let i = 0; i < fns.length; i++) RAW.defineProperty(out, i, { __proto__: null, value: fns[i] === null ? null : uncurry(fns[i]), writable: true, enumerable: true, configurable: true });
  return out;
}

/** Appends without Array.prototype.push or an index setter a program may have put on Array.prototype. */
function push(arr, v) {
  ObjectDefineProperty(arr, arr.length, { __proto__: null, value: v, writable: true, enumerable: true, configurable: true });
  return arr;
}
/** Defines an own, enumerable, writable data property (never a setter found up the prototype chain). */
function defProp(o, k, v, enumerable) {
  ObjectDefineProperty(o, k, { __proto__: null, value: v, writable: true, enumerable: enumerable !== false, configurable: true });
  return o;
}
function brand(check, x) { try { check(x); return true; } catch (e) { return false; } }
const isObjLike = (v) => typeof v === 'object' && v !== null;
const isDate = (x) => isObjLike(x) && brand(DateGetTime, x);
const isRegExp = (x) => isObjLike(x) && x !== RegExpProto && brand(RegExpSource, x);
const isMap = (x) => isObjLike(x) && brand(MapSize, x);
const isSet = (x) => isObjLike(x) && brand(SetSize, x);
const isTypedArray = (x) => TATag(x) !== undefined;
const isView = (x) => ArrayBufferIsView(x);
const isArrayBuffer = (x) => isObjLike(x) && brand(ABByteLength, x);
const isSharedArrayBuffer = (x) => isObjLike(x) && SABByteLength !== null && brand(SABByteLength, x);
const isAnyArrayBuffer = (x) => isArrayBuffer(x) || isSharedArrayBuffer(x);
const isErrorLike = (x) => isObjLike(x) && (tagOf(x) === '[object Error]' || IsPrototypeOf(ErrorProto, x));
/** 'number' | 'string' | 'boolean' | 'bigint' | 'symbol' for a boxed primitive, else null. */
function boxedKind(x) {
  if (!isObjLike(x)) return null;
  if (brand(NumberValueOf, x)) return 'number';
  if (brand(StringValueOf, x)) return 'string';
  if (brand(BooleanValueOf, x)) return 'boolean';
  if (brand(BigIntValueOf, x)) return 'bigint';
  if (brand(SymbolValueOf, x)) return 'symbol';
  return null;
}
/** Bytes of a typed array or DataView, as a Uint8Array over the same memory. */
function viewBytes(v) {
  if (isTypedArray(v)) return new Uint8ArrayCtor(TABuffer(v), TAByteOffset(v), TAByteLength(v));
  return new Uint8ArrayCtor(DVBuffer(v), DVByteOffset(v), DVByteLength(v));
}
/** A canonical array index ('0', '17'; not '01', '-1' or 2**32-1 and above). */
function isIndexKey(k) {
  const n = k.length;
  if (n === 0 || n > 10) return false;
  for (let i = 0; i < n; i++) {
    const c = StringCharCodeAt(k, i);
    if (c < 48 || c > 57 || (i === 0 && c === 48 && n > 1)) return false;
  }
  return NumberCtor(k) < 4294967295;
}
/** Own enumerable keys that are not array indices (symbols too when withSymbols). */
function nonIndexKeys(o, withSymbols) {
  const all = ReflectOwnKeys(o), out = [];
  for (let i = 0; i < all.length; i++) {
    const k = all[i];
    if (typeof k === 'string' ? isIndexKey(k) : !withSymbols) continue;
    if (IsEnumerable(o, k)) push(out, k);
  }
  return out;
}

// Prototypes of the built-ins (their constructors captured by RAW_SRC, before any program).
// An accessor a program plants on one of them (Object.prototype[Symbol.toStringTag], a
// getter for Error.prototype.name) would run program code with the test's expected value as
// 'this': enough for a Proxy result to mirror it. Comparisons refuse instead (TAMPERED).
let BUILTIN_PROTOS = null;
function builtinProtos() {
  if (BUILTIN_PROTOS !== null) return BUILTIN_PROTOS;
  const set = new SetCtor();
  for (let i = 0; i < RAW.ctors.length; i++) SetAdd(set, RAW.ctors[i].prototype);
  SetAdd(set, TypedArrayProto);
  BUILTIN_PROTOS = set;
  return set;
}
const TAMPERED = { __proto__: null };
const descHas = (d, k) => HasOwn(d, k);
/** Is every accessor for key up o's prototype chain one of the program's own (or the typed-array tag)? */
function chainClean(o, key) {
  for (let p = o; p !== null; p = ObjectGetPrototypeOf(p)) {
    const d = ObjectGetOwnPropertyDescriptor(p, key);
    if (d === undefined) continue;
    if (descHas(d, 'value')) return true;
    if (descHas(d, 'get') && d.get === TATagRaw) return true;
    return !SetHas(builtinProtos(), p);
  }
  return true;
}
/** Object.prototype.toString's tag, or null when a planted accessor would decide it. */
function tagOf(o) { return chainClean(o, SymbolToStringTag) ? ObjectToString(o) : null; }
/** o[key], or TAMPERED when the value would come from an accessor planted on a built-in prototype. */
function safeGet(o, key) { return chainClean(o, key) ? o[key] : TAMPERED; }
`;