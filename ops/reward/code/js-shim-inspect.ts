// In-isolate source (a fragment of js-shim.ts's shim): util.inspect, util.format and the rest
// of the `util` module. inspect reproduces Node 20's default layout (quotes, `Map(1) { 'a' => 1 }`,
// class prefixes, depth 2 with [Object], 80-column breaking, grouping of long arrays into
// columns, <ref *1>/[Circular *1]) for the values programs print; what plain JavaScript cannot
// see is approximated: Promise state, Proxy targets, Map/Set iterators, Error stacks (the
// isolate's, not Node's). Written for the shim from Node's documented output and checked
// against the real util on the host (test/reward-code/node-modules.test.ts).
export const INSPECT_SRC = String.raw`
const inspectCustom = SymbolFor('nodejs.util.inspect.custom');
const inspectDefaults = {
  showHidden: false, depth: 2, colors: false, customInspect: true, showProxy: false, maxArrayLength: 100,
  maxStringLength: 10000, breakLength: 80, compact: 3, sorted: false, getters: false, numericSeparator: false,
};
const K_OBJECT = 0, K_ARRAY_ITEM = 1, K_ARRAY_EXTRAS = 2;
const IDENT_RE = /^[a-zA-Z_][a-zA-Z_0-9]*$/;

function inspect(value, opts) {
  const ctx = {
    budget: {}, indentationLvl: 0, seen: [], currentDepth: 0, circular: undefined,
    showHidden: inspectDefaults.showHidden, depth: inspectDefaults.depth, customInspect: inspectDefaults.customInspect,
    maxArrayLength: inspectDefaults.maxArrayLength, maxStringLength: inspectDefaults.maxStringLength,
    breakLength: inspectDefaults.breakLength, compact: inspectDefaults.compact, sorted: inspectDefaults.sorted,
  };
  if (arguments.length > 1 && (typeof opts !== 'object' || opts === null)) {
    // Legacy form inspect(value, showHidden, depth, colors).
    if (typeof opts === 'boolean') ctx.showHidden = opts;
    if (arguments.length > 2 && arguments[2] !== undefined) ctx.depth = arguments[2];
  } else if (opts) {
    const ks = ObjectKeys(opts);
    for (let i = 0; i < ks.length; i++) if (HasOwn(ctx, ks[i]) || HasOwn(inspectDefaults, ks[i])) ctx[ks[i]] = opts[ks[i]];
  }
  if (ctx.depth === Infinity) ctx.depth = null;
  if (ctx.maxArrayLength === null) ctx.maxArrayLength = Infinity;
  if (ctx.maxStringLength === null) ctx.maxStringLength = Infinity;
  return formatValue(ctx, value, 0);
}
inspect.custom = inspectCustom;
inspect.defaultOptions = inspectDefaults;

function formatValue(ctx, value, recurseTimes) {
  if (typeof value !== 'object' && typeof value !== 'function') return formatPrimitive(value, ctx);
  if (value === null) return 'null';
  if (ctx.customInspect) {
    let custom;
    try { custom = value[inspectCustom]; } catch (e) { custom = undefined; }
    let isProto = false;
    try { isProto = !!(value.constructor && value.constructor.prototype === value); } catch (e) { isProto = false; }
    if (typeof custom === 'function' && custom !== inspect && !isProto) {
      const depth = ctx.depth === null ? null : ctx.depth - recurseTimes;
      const optsCopy = { depth, breakLength: ctx.breakLength, compact: ctx.compact, showHidden: ctx.showHidden, colors: false, stylize: (s) => s };
      const ret = ReflectApply(custom, value, [depth, optsCopy, inspect]);
      if (ret !== value) {
        if (typeof ret !== 'string') return formatValue(ctx, ret, recurseTimes);
        return ret.split('\n').join('\n' + StringRepeat(' ', ctx.indentationLvl));
      }
    }
  }
  if (ctx.seen.indexOf(value) !== -1) {
    let index = 1;
    if (ctx.circular === undefined) { ctx.circular = new MapCtor(); MapSet(ctx.circular, value, index); }
    else {
      index = MapGet(ctx.circular, value);
      if (index === undefined) { index = MapSize(ctx.circular) + 1; MapSet(ctx.circular, value, index); }
    }
    return '[Circular *' + index + ']';
  }
  return formatRaw(ctx, value, recurseTimes);
}

function getConstructorName(obj) {
  let o = obj, first;
  while (o) {
    const d = ObjectGetOwnPropertyDescriptor(o, 'constructor');
    if (d !== undefined && typeof d.value === 'function' && d.value.name !== '') {
      let inst = false;
      try { inst = obj instanceof d.value; } catch (e) { inst = false; }
      if (inst) return StringCtor2(d.value.name);
    }
    o = ObjectGetPrototypeOf(o);
    if (first === undefined) first = o;
  }
  if (first === null) return null;
  return 'Object';
}

function getPrefix(constructor, tag, fallback, size) {
  size = size || '';
  if (constructor === null) {
    if (tag !== '' && fallback !== tag) return '[' + fallback + size + ': null prototype] [' + tag + '] ';
    return '[' + fallback + size + ': null prototype] ';
  }
  if (tag !== '' && constructor !== tag) return constructor + size + ' [' + tag + '] ';
  return constructor + size + ' ';
}

function hiddenNonIndexKeys(value) {
  const all = ReflectOwnKeys(value), out = [];
  for (let i = 0; i < all.length; i++) if (typeof all[i] !== 'string' || !isIndexKey(all[i])) push(out, all[i]);
  return out;
}
function getKeys(value, showHidden) {
  const keys = showHidden ? ObjectGetOwnPropertyNames(value) : ObjectKeys(value);
  const syms = ObjectGetOwnPropertySymbols(value);
  for (let i = 0; i < syms.length; i++) if (showHidden || IsEnumerable(value, syms[i])) push(keys, syms[i]);
  return keys;
}

function formatRaw(ctx, value, recurseTimes) {
  let keys;
  const constructor = getConstructorName(value);
  let tag = value[SymbolToStringTag];
  if (typeof tag !== 'string' || (tag !== '' && (ctx.showHidden ? HasOwn : IsEnumerable)(value, SymbolToStringTag))) tag = '';
  let base = '', formatter = () => [], braces, noIterator = true, extrasType = K_OBJECT;
  if (SymbolIterator in value || constructor === null) {
    noIterator = false;
    if (ArrayIsArray(value)) {
      const prefix = constructor !== 'Array' || tag !== '' ? getPrefix(constructor, tag, 'Array', '(' + value.length + ')') : '';
      keys = ctx.showHidden ? hiddenNonIndexKeys(value) : nonIndexKeys(value, true);
      braces = [prefix + '[', ']'];
      if (value.length === 0 && keys.length === 0) return braces[0] + ']';
      extrasType = K_ARRAY_EXTRAS;
      formatter = formatArray;
    } else if (isSet(value)) {
      const size = SetSize(value);
      const prefix = getPrefix(constructor, tag, 'Set', '(' + size + ')');
      keys = getKeys(value, ctx.showHidden);
      formatter = formatSet;
      if (size === 0 && keys.length === 0) return prefix + '{}';
      braces = [prefix + '{', '}'];
    } else if (isMap(value)) {
      const size = MapSize(value);
      const prefix = getPrefix(constructor, tag, 'Map', '(' + size + ')');
      keys = getKeys(value, ctx.showHidden);
      formatter = formatMap;
      if (size === 0 && keys.length === 0) return prefix + '{}';
      braces = [prefix + '{', '}'];
    } else if (isTypedArray(value)) {
      keys = nonIndexKeys(value, true);
      const size = TALength(value);
      const prefix = getPrefix(constructor, tag, constructor === null ? TATag(value) : '', '(' + size + ')');
      braces = [prefix + '[', ']'];
      if (size === 0 && keys.length === 0 && !ctx.showHidden) return braces[0] + ']';
      formatter = formatTypedArray;
      extrasType = K_ARRAY_EXTRAS;
    } else {
      noIterator = true;
    }
  }
  if (noIterator) {
    keys = getKeys(value, ctx.showHidden);
    braces = ['{', '}'];
    if (typeof value === 'function') {
      base = getFunctionBase(value, constructor, tag);
      if (keys.length === 0) return base;
    } else if (constructor === 'Object') {
      if (ObjectToString(value) === '[object Arguments]') braces[0] = '[Arguments] {';
      else if (tag !== '') braces[0] = getPrefix(constructor, tag, 'Object') + '{';
      if (keys.length === 0) return braces[0] + '}';
    } else if (isRegExp(value)) {
      base = RegExpToString(value);
      const prefix = getPrefix(constructor, tag, 'RegExp');
      if (prefix !== 'RegExp ') base = prefix + base;
      if (keys.length === 0 || (ctx.depth !== null && recurseTimes > ctx.depth)) return base;
    } else if (isDate(value)) {
      base = NumberIsNaN(DateGetTime(value)) ? DateToString(value) : DateToISOString(value);
      const prefix = getPrefix(constructor, tag, 'Date');
      if (prefix !== 'Date ') base = prefix + base;
      if (keys.length === 0) return base;
    } else if (isErrorLike(value)) {
      base = formatError(value, constructor, tag, ctx, keys);
      if (keys.length === 0) return base;
    } else if (isAnyArrayBuffer(value)) {
      const prefix = getPrefix(constructor, tag, isArrayBuffer(value) ? 'ArrayBuffer' : 'SharedArrayBuffer');
      formatter = formatArrayBuffer;
      braces[0] = prefix + '{';
      keys.unshift('byteLength');
    } else if (ObjectToString(value) === '[object DataView]') {
      braces[0] = getPrefix(constructor, tag, 'DataView') + '{';
      keys.unshift('byteLength', 'byteOffset', 'buffer');
    } else if (ObjectToString(value) === '[object Promise]') {
      braces[0] = getPrefix(constructor, tag, 'Promise') + '{';
      formatter = () => ['<unknown>'];
    } else if (ObjectToString(value) === '[object WeakSet]' || ObjectToString(value) === '[object WeakMap]') {
      braces[0] = getPrefix(constructor, tag, StringSlice(ObjectToString(value), 8, -1)) + '{';
      formatter = () => ['<items unknown>'];
    } else if (boxedKind(value) !== null) {
      base = getBoxedBase(value, ctx, keys, constructor, tag);
      if (keys.length === 0) return base;
    } else {
      if (keys.length === 0) return getPrefix(constructor, tag, 'Object') + '{}';
      braces[0] = getPrefix(constructor, tag, 'Object') + '{';
    }
  }
  if (ctx.depth !== null && recurseTimes > ctx.depth) {
    let name = StringSlice(getPrefix(constructor, tag, 'Object'), 0, -1);
    if (constructor !== null) name = '[' + name + ']';
    return name;
  }
  recurseTimes += 1;
  push(ctx.seen, value);
  ctx.currentDepth = recurseTimes;
  const output = formatter(ctx, value, recurseTimes);
  for (let i = 0; i < keys.length; i++) push(output, formatProperty(ctx, value, recurseTimes, keys[i], extrasType));
  if (ctx.circular !== undefined) {
    const index = MapGet(ctx.circular, value);
    if (index !== undefined) {
      const ref = '<ref *' + index + '>';
      if (ctx.compact !== true) base = base === '' ? ref : ref + ' ' + base;
      else braces[0] = ref + ' ' + braces[0];
    }
  }
  ctx.seen.pop();
  if (ctx.sorted) {
    const cmp = ctx.sorted === true ? undefined : ctx.sorted;
    if (extrasType === K_OBJECT) output.sort(cmp);
    else if (keys.length > 1) {
      const tail = output.slice(output.length - keys.length).sort(cmp);
      output.splice(output.length - keys.length, keys.length, ...tail);
    }
  }
  return reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value);
}

function getFunctionBase(value, constructor, tag) {
  let src = '';
  try { src = FunctionToString(value); } catch (e) { src = ''; }
  if (StringSlice(src, 0, 5) === 'class' && src[src.length - 1] === '}') {
    const hasName = HasOwn(value, 'name');
    const name = (hasName && value.name) || '(anonymous)';
    let b = 'class ' + name;
    if (constructor !== 'Function' && constructor !== null) b += ' [' + constructor + ']';
    if (tag !== '' && constructor !== tag) b += ' [' + tag + ']';
    if (constructor !== null) {
      const superName = ObjectGetPrototypeOf(value).name;
      if (superName) b += ' extends ' + superName;
    } else b += ' extends [null prototype]';
    return '[' + b + ']';
  }
  const t = ObjectToString(value);
  let type = 'Function';
  if (t === '[object GeneratorFunction]' || t === '[object AsyncGeneratorFunction]') type = 'Generator' + type;
  if (t === '[object AsyncFunction]' || t === '[object AsyncGeneratorFunction]') type = 'Async' + type;
  let b = '[' + type;
  if (constructor === null) b += ' (null prototype)';
  if (value.name === '') b += ' (anonymous)';
  else b += ': ' + value.name;
  b += ']';
  if (constructor !== type && constructor !== null) b += ' ' + constructor;
  if (tag !== '' && constructor !== tag) b += ' [' + tag + ']';
  return b;
}

function getBoxedBase(value, ctx, keys, constructor, tag) {
  const kind = boxedKind(value);
  let type, fn;
  if (kind === 'number') { type = 'Number'; fn = NumberValueOf; }
  else if (kind === 'string') {
    type = 'String'; fn = StringValueOf;
    keys.splice(0, StringValueOf(value).length);
  } else if (kind === 'boolean') { type = 'Boolean'; fn = BooleanValueOf; }
  else if (kind === 'bigint') { type = 'BigInt'; fn = BigIntValueOf; }
  else { type = 'Symbol'; fn = SymbolValueOf; }
  let b = '[' + type;
  if (type !== constructor) b += constructor === null ? ' (null prototype)' : ' (' + constructor + ')';
  b += ': ' + formatPrimitive(fn(value), { compact: true, maxStringLength: ctx.maxStringLength, breakLength: ctx.breakLength, indentationLvl: 0 }) + ']';
  if (tag !== '' && tag !== constructor) b += ' [' + tag + ']';
  return b;
}

function formatError(err, constructor, tag, ctx, keys) {
  let stack;
  try { stack = err.stack ? StringCtor2(err.stack) : ''; } catch (e) { stack = ''; }
  if (!stack) {
    try { stack = ErrorProto.toString.call(err); } catch (e) { stack = '[object Error]'; }
  }
  if ('cause' in err && keys.indexOf('cause') === -1) keys.push('cause');
  if (ArrayIsArray(err.errors) && keys.indexOf('errors') === -1) keys.push('errors');
  if (StringIndexOf(stack, '\n    at') === -1) stack = '[' + stack + ']';
  if (ctx.indentationLvl !== 0) stack = stack.split('\n').join('\n' + StringRepeat(' ', ctx.indentationLvl));
  return stack;
}

function formatArrayBuffer(ctx, value) {
  const bytes = new Uint8ArrayCtor(value);
  const n = MathMin(ctx.maxArrayLength, bytes.length);
  let s = '';
  for (let i = 0; i < n; i++) s += (i ? ' ' : '') + (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
  const rest = bytes.length - n;
  if (rest > 0) s += ' ... ' + rest + ' more byte' + (rest > 1 ? 's' : '');
  return ['[Uint8Contents]: <' + s + '>'];
}

function formatArray(ctx, value, recurseTimes) {
  const len = value.length, max = MathMin(MathMax(0, ctx.maxArrayLength), len);
  const output = [];
  let i = 0, shown = 0;
  for (; i < len && shown < max; shown++) {
    if (!HasOwn(value, i)) {
      let j = i;
      while (j < len && !HasOwn(value, j)) j++;
      const holes = j - i;
      push(output, '<' + holes + ' empty item' + (holes > 1 ? 's' : '') + '>');
      i = j;
      continue;
    }
    push(output, formatProperty(ctx, value, recurseTimes, i, K_ARRAY_ITEM));
    i++;
  }
  const remaining = len - i;
  if (remaining > 0) push(output, '... ' + remaining + ' more item' + (remaining > 1 ? 's' : ''));
  return output;
}

function formatTypedArray(ctx, value) {
  const len = TALength(value), max = MathMin(MathMax(0, ctx.maxArrayLength), len);
  const output = [];
  for (let i = 0; i < max; i++) push(output, formatPrimitive(value[i], ctx));
  if (len > max) push(output, '... ' + (len - max) + ' more item' + (len - max > 1 ? 's' : ''));
  return output;
}

function formatSet(ctx, value, recurseTimes) {
  const output = [];
  ctx.indentationLvl += 2;
  SetForEach(value, (v) => { push(output, formatValue(ctx, v, recurseTimes)); });
  ctx.indentationLvl -= 2;
  return output;
}

function formatMap(ctx, value, recurseTimes) {
  const output = [];
  ctx.indentationLvl += 2;
  MapForEach(value, (v, k) => { push(output, formatValue(ctx, k, recurseTimes) + ' => ' + formatValue(ctx, v, recurseTimes)); });
  ctx.indentationLvl -= 2;
  return output;
}

function formatProperty(ctx, value, recurseTimes, key, type) {
  let name, str;
  let extra = ' ';
  const desc = ObjectGetOwnPropertyDescriptor(value, key) || { value: value[key], enumerable: true };
  if (desc.value !== undefined) {
    const diff = ctx.compact !== true || type !== K_OBJECT ? 2 : 3;
    ctx.indentationLvl += diff;
    str = formatValue(ctx, desc.value, recurseTimes);
    if (diff === 3 && ctx.breakLength < str.length) extra = '\n' + StringRepeat(' ', ctx.indentationLvl);
    ctx.indentationLvl -= diff;
  } else if (desc.get !== undefined) {
    str = desc.set !== undefined ? '[Getter/Setter]' : '[Getter]';
  } else if (desc.set !== undefined) {
    str = '[Setter]';
  } else {
    str = 'undefined';
  }
  if (type === K_ARRAY_ITEM) return str;
  if (typeof key === 'symbol') name = '[' + SymbolToString(key) + ']';
  else if (key === '__proto__') name = "['__proto__']";
  else if (desc.enumerable === false) name = '[' + key + ']';
  else if (RegExpExec(IDENT_RE, key) !== null) name = key;
  else name = strEscape(key);
  return name + ':' + extra + str;
}

function isBelowBreakLength(ctx, output, start, base) {
  let total = output.length + start;
  if (total + output.length > ctx.breakLength) return false;
  for (let i = 0; i < output.length; i++) {
    total += output[i].length;
    if (total > ctx.breakLength) return false;
  }
  return base === '' || StringIndexOf(base, '\n') === -1;
}

function reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value) {
  if (ctx.compact !== true) {
    if (typeof ctx.compact === 'number' && ctx.compact >= 1) {
      const entries = output.length;
      if (extrasType === K_ARRAY_EXTRAS && entries > 6) output = groupArrayElements(ctx, output, value);
      if (ctx.currentDepth - recurseTimes < ctx.compact && entries === output.length) {
        const start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
        if (isBelowBreakLength(ctx, output, start, base)) {
          const joined = output.join(', ');
          if (StringIndexOf(joined, '\n') === -1) return (base ? base + ' ' : '') + braces[0] + ' ' + joined + ' ' + braces[1];
        }
      }
    }
    const ind = '\n' + StringRepeat(' ', ctx.indentationLvl);
    return (base ? base + ' ' : '') + braces[0] + ind + '  ' + output.join(',' + ind + '  ') + ind + braces[1];
  }
  if (isBelowBreakLength(ctx, output, 0, base)) {
    return braces[0] + (base ? ' ' + base : '') + ' ' + output.join(', ') + ' ' + braces[1];
  }
  const ind = '\n' + StringRepeat(' ', ctx.indentationLvl);
  const ln = base === '' && braces[0].length === 1 ? ' ' : (base ? ' ' + base : '') + ind + '  ';
  return braces[0] + ln + output.join(',' + ind + '  ') + ' ' + braces[1];
}

// Long arrays of short entries print in aligned columns: as many as keep the block roughly
// square (entries ~2.5 times as tall as wide), within the line width, at most 15 (and
// compact * 4); numbers are right-aligned, anything else left-aligned.
function groupArrayElements(ctx, output, value) {
  let totalLength = 0, maxLength = 0;
  let outputLength = output.length;
  if (ctx.maxArrayLength < output.length) outputLength--; // leave the "... more items" entry alone
  const separatorSpace = 2;
  const dataLen = new ArrayCtor(outputLength);
  for (let i = 0; i < outputLength; i++) {
    const len = output[i].length;
    dataLen[i] = len;
    totalLength += len + separatorSpace;
    if (maxLength < len) maxLength = len;
  }
  const actualMax = maxLength + separatorSpace;
  if (actualMax * 3 + ctx.indentationLvl < ctx.breakLength && (totalLength / actualMax > 5 || maxLength <= 6)) {
    const averageBias = MathSqrt(actualMax - totalLength / output.length);
    const biasedMax = MathMax(actualMax - 3 - averageBias, 1);
    const columns = MathMin(
      MathRound(MathSqrt(2.5 * biasedMax * outputLength) / biasedMax),
      MathFloor((ctx.breakLength - ctx.indentationLvl) / actualMax),
      ctx.compact * 4,
      15,
    );
    if (columns <= 1) return output;
    const maxLineLength = [];
    for (let c = 0; c < columns; c++) {
      let lineLength = 0;
      for (let j = c; j < output.length; j += columns) if (dataLen[j] > lineLength) lineLength = dataLen[j];
      push(maxLineLength, lineLength + separatorSpace);
    }
    let padStart = true;
    if (value !== undefined) {
      for (let i = 0; i < output.length; i++) {
        if (typeof value[i] !== 'number' && typeof value[i] !== 'bigint') { padStart = false; break; }
      }
    }
    const grouped = [];
    for (let i = 0; i < outputLength; i += columns) {
      const max = MathMin(i + columns, outputLength);
      let line = '';
      let j = i;
      for (; j < max - 1; j++) {
        const cell = output[j] + ', ';
        line += padStart ? cell.padStart(maxLineLength[j - i], ' ') : cell.padEnd(maxLineLength[j - i], ' ');
      }
      line += padStart ? output[j].padStart(maxLineLength[j - i] - separatorSpace, ' ') : output[j];
      push(grouped, line);
    }
    if (ctx.maxArrayLength < output.length) push(grouped, output[outputLength]);
    return grouped;
  }
  return output;
}

let ESC_META = null;
function escMeta() {
  if (ESC_META !== null) return ESC_META;
  const m = [];
  for (let i = 0; i < 0xa0; i++) m[i] = i < 0x20 || (i >= 0x7f && i < 0xa0) ? '\\x' + (i < 16 ? '0' : '') + i.toString(16).toUpperCase() : '';
  m[8] = '\\b'; m[9] = '\\t'; m[10] = '\\n'; m[12] = '\\f'; m[13] = '\\r';
  m[39] = "\\'"; m[92] = '\\\\';
  ESC_META = m;
  return m;
}

function strEscape(str) {
  let quote = 39;
  if (StringIndexOf(str, "'") !== -1) {
    if (StringIndexOf(str, '"') === -1) quote = -2;
    else if (StringIndexOf(str, '\x60') === -1 && StringIndexOf(str, '$' + '{') === -1) quote = -1;
  }
  let result = '', last = 0;
  for (let i = 0; i < str.length; i++) {
    const c = StringCharCodeAt(str, i);
    if (c === quote || c === 92 || c < 32 || (c > 126 && c < 160)) {
      result += StringSlice(str, last, i) + escMeta()[c];
      last = i + 1;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      if (c <= 0xdbff && i + 1 < str.length) {
        const d = StringCharCodeAt(str, i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { i++; continue; }
      }
      result += StringSlice(str, last, i) + '\\u' + c.toString(16).toUpperCase();
      last = i + 1;
    }
  }
  if (last !== 0) result += StringSlice(str, last);
  else result = str;
  const q = quote === -2 ? '"' : quote === -1 ? '\x60' : "'";
  return q + result + q;
}

function formatNumber(n) { return ObjectIs(n, -0) ? '-0' : StringCtor2(n); }

function formatPrimitive(value, ctx) {
  switch (typeof value) {
    case 'string': {
      let trailer = '';
      if (value.length > ctx.maxStringLength) {
        const remaining = value.length - ctx.maxStringLength;
        value = StringSlice(value, 0, ctx.maxStringLength);
        trailer = '... ' + remaining + ' more character' + (remaining > 1 ? 's' : '');
      }
      if (ctx.compact !== true && value.length > 16 && value.length > ctx.breakLength - ctx.indentationLvl - 4) {
        const lines = [];
        let from = 0;
        for (let i = 0; i < value.length; i++) if (StringCharCodeAt(value, i) === 10) { push(lines, StringSlice(value, from, i + 1)); from = i + 1; }
        if (from < value.length || lines.length === 0) push(lines, StringSlice(value, from));
        const parts = [];
        for (let i = 0; i < lines.length; i++) push(parts, strEscape(lines[i]));
        return parts.join(' +\n' + StringRepeat(' ', ctx.indentationLvl + 2)) + trailer;
      }
      return strEscape(value) + trailer;
    }
    case 'number': return formatNumber(value);
    case 'bigint': return StringCtor2(value) + 'n';
    case 'symbol': return SymbolToString(value);
    default: return StringCtor2(value);
  }
}

// ---- util.format ----
let BUILTIN_CTOR_NAMES = null;
function builtinCtorNames() {
  if (BUILTIN_CTOR_NAMES !== null) return BUILTIN_CTOR_NAMES;
  const names = ['Object', 'Array', 'Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError',
    'AggregateError', 'Date', 'RegExp', 'Map', 'Set', 'WeakMap', 'WeakSet', 'Promise', 'Function', 'Number', 'String', 'Boolean', 'Symbol',
    'BigInt', 'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
    'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'Proxy', 'WeakRef'];
  BUILTIN_CTOR_NAMES = new SetCtor();
  for (let i = 0; i < names.length; i++) SetAdd(BUILTIN_CTOR_NAMES, names[i]);
  return BUILTIN_CTOR_NAMES;
}
function hasBuiltInToString(value) {
  if (typeof value.toString !== 'function') return true;
  if (HasOwn(value, 'toString')) return false;
  let p = value;
  do { p = ObjectGetPrototypeOf(p); } while (p !== null && !HasOwn(p, 'toString'));
  if (p === null) return true;
  const d = ObjectGetOwnPropertyDescriptor(p, 'constructor');
  return d !== undefined && typeof d.value === 'function' && SetHas(builtinCtorNames(), d.value.name);
}
function tryStringify(v) {
  try { return stringify(v); } catch (e) {
    if (isObjLike(e) && e.name === 'TypeError' && StringIncludes(StringCtor2(e.message), 'circular')) return '[Circular]';
    throw e;
  }
}
function formatWithOptions(inspectOptions, ...args) {
  const opts = inspectOptions || {};
  const ins = (v, extra) => {
    const o = {};
    const ks = ObjectKeys(opts);
    for (let i = 0; i < ks.length; i++) o[ks[i]] = opts[ks[i]];
    if (extra) { const es = ObjectKeys(extra); for (let i = 0; i < es.length; i++) o[es[i]] = extra[es[i]]; }
    return inspect(v, o);
  };
  const first = args[0];
  let a = 0, str = '', join = '';
  if (typeof first === 'string') {
    if (args.length === 1) return first;
    let tempStr, lastPos = 0;
    for (let i = 0; i < first.length - 1; i++) {
      if (StringCharCodeAt(first, i) !== 37) continue;
      const next = StringCharCodeAt(first, ++i);
      if (a + 1 !== args.length) {
        switch (next) {
          case 115: { // %s
            const arg = args[++a];
            if (typeof arg === 'number') tempStr = formatNumber(arg);
            else if (typeof arg === 'bigint') tempStr = StringCtor2(arg) + 'n';
            else if (typeof arg !== 'object' || arg === null || !hasBuiltInToString(arg)) tempStr = StringCtor2(arg);
            else tempStr = ins(arg, { depth: 0, colors: false, compact: 3 });
            break;
          }
          case 106: tempStr = tryStringify(args[++a]); break; // %j
          case 100: { // %d
            const n = args[++a];
            if (typeof n === 'bigint') tempStr = StringCtor2(n) + 'n';
            else if (typeof n === 'symbol') tempStr = 'NaN';
            else tempStr = formatNumber(NumberCtor(n));
            break;
          }
          case 79: tempStr = ins(args[++a]); break; // %O
          case 111: tempStr = ins(args[++a], { showHidden: true, showProxy: true, depth: 4 }); break; // %o
          case 105: { // %i
            const n = args[++a];
            if (typeof n === 'bigint') tempStr = StringCtor2(n) + 'n';
            else if (typeof n === 'symbol') tempStr = 'NaN';
            else tempStr = formatNumber(NumberParseInt(n));
            break;
          }
          case 102: { // %f
            const n = args[++a];
            tempStr = typeof n === 'symbol' ? 'NaN' : formatNumber(NumberParseFloat(n));
            break;
          }
          case 99: a += 1; tempStr = ''; break; // %c
          case 37: str += StringSlice(first, lastPos, i); lastPos = i + 1; continue; // %%
          default: continue;
        }
        if (lastPos !== i - 1) str += StringSlice(first, lastPos, i - 1);
        str += tempStr;
        lastPos = i + 1;
      } else if (next === 37) {
        str += StringSlice(first, lastPos, i);
        lastPos = i + 1;
      }
    }
    if (lastPos !== 0) {
      a++;
      join = ' ';
      if (lastPos < first.length) str += StringSlice(first, lastPos);
    }
  }
  while (a < args.length) {
    const v = args[a];
    str += join;
    str += typeof v !== 'string' ? ins(v) : v;
    join = ' ';
    a++;
  }
  return str;
}
function format(...args) { return formatWithOptions(undefined, ...args); }

// ---- util ----
function makeUtil() {
  const customPromisify = SymbolFor('nodejs.util.promisify.custom');
  function promisify(original) {
    if (typeof original !== 'function') throw nodeErr(TypeErrorCtor, 'ERR_INVALID_ARG_TYPE', 'The "original" argument must be of type function');
    if (original[customPromisify]) {
      const fn = original[customPromisify];
      if (typeof fn !== 'function') throw nodeErr(TypeErrorCtor, 'ERR_INVALID_ARG_TYPE', 'The "util.promisify.custom" argument must be of type function');
      return fn;
    }
    function fn(...args) {
      return new PromiseCtor((resolve, reject) => {
        push(args, (err, ...values) => { if (err) reject(err); else resolve(values[0]); });
        ReflectApply(original, this, args);
      });
    }
    ObjectSetPrototypeOf(fn, ObjectGetPrototypeOf(original));
    ObjectDefineProperty(fn, customPromisify, { __proto__: null, value: fn, enumerable: false, writable: false, configurable: true });
    const descs = ObjectGetOwnPropertyDescriptors(original);
    return ObjectDefineProperties(fn, descs);
  }
  promisify.custom = customPromisify;
  function callbackify(original) {
    if (typeof original !== 'function') throw nodeErr(TypeErrorCtor, 'ERR_INVALID_ARG_TYPE', 'The "original" argument must be of type function');
    return function (...args) {
      const cb = args.pop();
      if (typeof cb !== 'function') throw nodeErr(TypeErrorCtor, 'ERR_INVALID_ARG_TYPE', 'The last argument must be of type function');
      PromiseThen(PromiseCtor.resolve(ReflectApply(original, this, args)),
        (v) => { proc.nextTick(cb, null, v); },
        (e) => {
          if (!e) { const w = new ErrorCtor('Promise was rejected with a falsy value'); w.reason = e; e = w; }
          proc.nextTick(cb, e);
        });
    };
  }
  function inherits(ctor, superCtor) {
    if (typeof ctor !== 'function') throw nodeErr(TypeErrorCtor, 'ERR_INVALID_ARG_TYPE', 'The "ctor" argument must be of type function');
    if (typeof superCtor !== 'function') throw nodeErr(TypeErrorCtor, 'ERR_INVALID_ARG_TYPE', 'The "superCtor" argument must be of type function');
    if (superCtor.prototype === undefined) throw nodeErr(TypeErrorCtor, 'ERR_INVALID_ARG_TYPE', 'The "superCtor.prototype" property must be of type object');
    ObjectDefineProperty(ctor, 'super_', { __proto__: null, value: superCtor, writable: true, configurable: true });
    ObjectSetPrototypeOf(ctor.prototype, superCtor.prototype);
  }
  const tagIs = (t) => (v) => isObjLike(v) && ObjectToString(v) === t;
  const taIs = (name) => (v) => TATag(v) === name;
  const types = {
    isDate, isRegExp, isMap, isSet, isTypedArray, isArrayBuffer, isSharedArrayBuffer, isAnyArrayBuffer,
    isArrayBufferView: (v) => isView(v), isDataView: (v) => isView(v) && !isTypedArray(v),
    isNativeError: (v) => isObjLike(v) && ObjectToString(v) === '[object Error]',
    isBoxedPrimitive: (v) => boxedKind(v) !== null,
    isNumberObject: (v) => boxedKind(v) === 'number', isStringObject: (v) => boxedKind(v) === 'string',
    isBooleanObject: (v) => boxedKind(v) === 'boolean', isBigIntObject: (v) => boxedKind(v) === 'bigint',
    isSymbolObject: (v) => boxedKind(v) === 'symbol',
    isPromise: tagIs('[object Promise]'), isWeakMap: tagIs('[object WeakMap]'), isWeakSet: tagIs('[object WeakSet]'),
    isArgumentsObject: tagIs('[object Arguments]'), isGeneratorObject: tagIs('[object Generator]'),
    isMapIterator: tagIs('[object Map Iterator]'), isSetIterator: tagIs('[object Set Iterator]'),
    isAsyncFunction: (v) => typeof v === 'function' && (ObjectToString(v) === '[object AsyncFunction]' || ObjectToString(v) === '[object AsyncGeneratorFunction]'),
    isGeneratorFunction: (v) => typeof v === 'function' && (ObjectToString(v) === '[object GeneratorFunction]' || ObjectToString(v) === '[object AsyncGeneratorFunction]'),
    isUint8Array: taIs('Uint8Array'), isUint8ClampedArray: taIs('Uint8ClampedArray'), isUint16Array: taIs('Uint16Array'),
    isUint32Array: taIs('Uint32Array'), isInt8Array: taIs('Int8Array'), isInt16Array: taIs('Int16Array'), isInt32Array: taIs('Int32Array'),
    isFloat32Array: taIs('Float32Array'), isFloat64Array: taIs('Float64Array'), isBigInt64Array: taIs('BigInt64Array'),
    isBigUint64Array: taIs('BigUint64Array'),
  };
  const isPrimitive = (v) => v === null || (typeof v !== 'object' && typeof v !== 'function');
  const debuglog = () => { const f = () => {}; f.enabled = false; return f; };
  const util = {
    format, formatWithOptions, inspect, promisify, callbackify, inherits, types,
    isDeepStrictEqual: (a, b) => nodeDeepEqual(a, b, true, undefined),
    deprecate: (fn) => fn, debuglog, debug: debuglog,
    isArray: ArrayIsArray, isBoolean: (v) => typeof v === 'boolean', isNull: (v) => v === null,
    isNullOrUndefined: (v) => v === null || v === undefined, isNumber: (v) => typeof v === 'number',
    isString: (v) => typeof v === 'string', isSymbol: (v) => typeof v === 'symbol', isUndefined: (v) => v === undefined,
    isRegExp, isObject: (v) => v !== null && typeof v === 'object', isDate, isError: (v) => isErrorLike(v),
    isFunction: (v) => typeof v === 'function', isPrimitive,
    stripVTControlCharacters: (s) => StringCtor2(s).replace(/[\u001B\u009B][[\]()#;?]*(?:(?:(?:(?:;[-a-zA-Z\d/#&.:=?%@~_]+)*|[a-zA-Z\d]+(?:;[-a-zA-Z\d/#&.:=?%@~_]*)*)?\u0007)|(?:(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PR-TZcf-ntqry=><~]))/g, ''),
    toUSVString: (s) => StringCtor2(s).toWellFormed ? StringCtor2(s).toWellFormed() : StringCtor2(s).replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
    TextEncoder: nodeClasses().TextEncoder, TextDecoder: nodeClasses().TextDecoder,
  };
  return util;
}
`;
