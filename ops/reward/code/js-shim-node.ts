// In-isolate source (a fragment of js-shim.ts's shim): the pure, deterministic parts of Node's
// `crypto` (createHash / createHmac / hash for md5, sha1, sha224, sha256, sha384, sha512,
// timingSafeEqual, getHashes), byte encodings (utf8, hex, base64, base64url, latin1, utf16le),
// TextEncoder/TextDecoder for `util`, and `events` (EventEmitter). The hashes are the
// published algorithms (RFC 1321, FIPS 180-4) written for the shim; their round constants are
// computed here (sines for MD5, integer square and cube roots of primes for SHA-2), not
// pasted. Checked against the host's node:crypto in test/reward-code/node-modules.test.ts.
// digest() without an encoding returns a Uint8Array subclass named Buffer with toString(enc),
// equals and toJSON: not Node's Buffer, which the sandbox does not provide.
export const NODE_SRC = String.raw`
// ---- bytes and encodings ----
function normEncoding(enc) {
  if (enc === undefined || enc === null) return 'utf8';
  const e = StringToLowerCase(StringCtor2(enc));
  switch (e) {
    case 'utf8': case 'utf-8': return 'utf8';
    case 'hex': return 'hex';
    case 'base64': return 'base64';
    case 'base64url': return 'base64url';
    case 'latin1': case 'binary': return 'latin1';
    case 'ascii': return 'ascii';
    case 'ucs2': case 'ucs-2': case 'utf16le': case 'utf-16le': return 'utf16le';
    case 'buffer': return 'buffer';
    default: return null;
  }
}
function utf8Encode(str) {
  let n = 0;
  for (let i = 0; i < str.length; i++) {
    const c = StringCharCodeAt(str, i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length && (StringCharCodeAt(str, i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
    else n += 3;
  }
  const out = new Uint8ArrayCtor(n);
  let p = 0;
  for (let i = 0; i < str.length; i++) {
    let c = StringCharCodeAt(str, i);
    if (c < 0x80) { out[p++] = c; continue; }
    if (c < 0x800) { out[p++] = 0xc0 | (c >> 6); out[p++] = 0x80 | (c & 63); continue; }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = c <= 0xdbff && i + 1 < str.length ? StringCharCodeAt(str, i + 1) : 0;
      if ((d & 0xfc00) === 0xdc00) {
        i++;
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        out[p++] = 0xf0 | (c >> 18); out[p++] = 0x80 | ((c >> 12) & 63); out[p++] = 0x80 | ((c >> 6) & 63); out[p++] = 0x80 | (c & 63);
        continue;
      }
      c = 0xfffd; // a lone surrogate encodes as U+FFFD
    }
    out[p++] = 0xe0 | (c >> 12); out[p++] = 0x80 | ((c >> 6) & 63); out[p++] = 0x80 | (c & 63);
  }
  return out;
}
function codesToString(codes) {
  let s = '';
  for (let i = 0; i < codes.length; i += 8192) s += ReflectApply(StringFromCharCode, null, codes.slice(i, i + 8192));
  return s;
}
// WHATWG UTF-8 decoding: each maximal invalid subsequence becomes one U+FFFD.
function utf8Decode(b, start, end, fatal) {
  const codes = [];
  let i = start;
  while (i < end) {
    const b0 = b[i];
    if (b0 < 0x80) { push(codes, b0); i++; continue; }
    let need, lower = 0x80, upper = 0xbf, cp;
    if (b0 >= 0xc2 && b0 <= 0xdf) { need = 1; cp = b0 & 0x1f; }
    else if (b0 >= 0xe0 && b0 <= 0xef) { need = 2; cp = b0 & 0x0f; if (b0 === 0xe0) lower = 0xa0; if (b0 === 0xed) upper = 0x9f; }
    else if (b0 >= 0xf0 && b0 <= 0xf4) { need = 3; cp = b0 & 0x07; if (b0 === 0xf0) lower = 0x90; if (b0 === 0xf4) upper = 0x8f; }
    else {
      if (fatal) throw nodeErr(TypeErrorCtor, 'ERR_ENCODING_INVALID_ENCODED_DATA', 'The encoded data was not valid for encoding utf-8');
      push(codes, 0xfffd); i++; continue;
    }
    let j = i + 1, ok = true;
    for (let k = 0; k < need; k++, j++) {
      const c = j < end ? b[j] : -1;
      if (c < (k === 0 ? lower : 0x80) || c > (k === 0 ? upper : 0xbf)) { ok = false; break; }
      cp = (cp << 6) | (c & 0x3f);
    }
    if (!ok) {
      if (fatal) throw nodeErr(TypeErrorCtor, 'ERR_ENCODING_INVALID_ENCODED_DATA', 'The encoded data was not valid for encoding utf-8');
      push(codes, 0xfffd); i = j; continue;
    }
    if (cp > 0xffff) { cp -= 0x10000; push(codes, 0xd800 + (cp >> 10)); push(codes, 0xdc00 + (cp & 0x3ff)); }
    else push(codes, cp);
    i = j;
  }
  return codesToString(codes);
}
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
function base64Encode(b, start, end, url) {
  const al = url ? B64URL : B64;
  let s = '';
  let i = start;
  for (; i + 2 < end; i += 3) {
    const n = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
    s += al[n >> 18] + al[(n >> 12) & 63] + al[(n >> 6) & 63] + al[n & 63];
  }
  if (end - i === 1) { const n = b[i] << 16; s += al[n >> 18] + al[(n >> 12) & 63] + (url ? '' : '=='); }
  else if (end - i === 2) { const n = (b[i] << 16) | (b[i + 1] << 8); s += al[n >> 18] + al[(n >> 12) & 63] + al[(n >> 6) & 63] + (url ? '' : '='); }
  return s;
}
function b64Value(c) {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  if (c === 43 || c === 45) return 62;
  if (c === 47 || c === 95) return 63;
  return -1;
}
// Like Buffer.from(s, 'base64'): both alphabets, other characters skipped, '=' ends the data.
function base64Decode(s) {
  const vals = [];
  for (let i = 0; i < s.length; i++) {
    const c = StringCharCodeAt(s, i);
    if (c === 61) break;
    const v = b64Value(c);
    if (v >= 0) push(vals, v);
  }
  const full = MathFloor(vals.length / 4), rest = vals.length % 4;
  const out = new Uint8ArrayCtor(full * 3 + (rest === 2 ? 1 : rest === 3 ? 2 : 0));
  let p = 0, i = 0;
  for (; i + 3 < vals.length; i += 4) {
    const n = (vals[i] << 18) | (vals[i + 1] << 12) | (vals[i + 2] << 6) | vals[i + 3];
    out[p++] = n >> 16; out[p++] = (n >> 8) & 255; out[p++] = n & 255;
  }
  if (rest >= 2) {
    const n = (vals[i] << 18) | (vals[i + 1] << 12) | (rest === 3 ? vals[i + 2] << 6 : 0);
    out[p++] = n >> 16;
    if (rest === 3) out[p++] = (n >> 8) & 255;
  }
  return out;
}
function hexValue(c) {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}
// Like Buffer.from(s, 'hex'): whole pairs up to the first invalid one.
function hexDecode(s) {
  const vals = [];
  for (let i = 0; i + 1 < s.length; i += 2) {
    const h = hexValue(StringCharCodeAt(s, i)), l = hexValue(StringCharCodeAt(s, i + 1));
    if (h < 0 || l < 0) break;
    push(vals, (h << 4) | l);
  }
  const out = new Uint8ArrayCtor(vals.length);
  for (let i = 0; i < vals.length; i++) out[i] = vals[i];
  return out;
}
function stringToBytes(str, enc) {
  switch (normEncoding(enc)) {
    case 'hex': return hexDecode(str);
    case 'base64': case 'base64url': return base64Decode(str);
    case 'latin1': case 'ascii': {
      const out = new Uint8ArrayCtor(str.length);
      for (let i = 0; i < str.length; i++) out[i] = StringCharCodeAt(str, i) & 255;
      return out;
    }
    case 'utf16le': {
      const out = new Uint8ArrayCtor(str.length * 2);
      for (let i = 0; i < str.length; i++) { const c = StringCharCodeAt(str, i); out[2 * i] = c & 255; out[2 * i + 1] = c >> 8; }
      return out;
    }
    default: return utf8Encode(str);
  }
}
function bytesToString(b, enc, start, end) {
  start = start === undefined ? 0 : MathMax(0, start | 0);
  end = end === undefined ? b.length : MathMin(b.length, end | 0);
  if (end <= start) return '';
  switch (normEncoding(enc)) {
    case 'hex': {
      let s = '';
      for (let i = start; i < end; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16);
      return s;
    }
    case 'base64': return base64Encode(b, start, end, false);
    case 'base64url': return base64Encode(b, start, end, true);
    case 'latin1': case 'ascii': {
      const ascii = normEncoding(enc) === 'ascii';
      const codes = [];
      for (let i = start; i < end; i++) push(codes, ascii ? b[i] & 127 : b[i]);
      return codesToString(codes);
    }
    case 'utf16le': {
      const codes = [];
      for (let i = start; i + 1 < end; i += 2) push(codes, b[i] | (b[i + 1] << 8));
      return codesToString(codes);
    }
    default: return utf8Decode(b, start, end, false);
  }
}
function toBuffer(bytes) {
  const b = new (nodeClasses().Buffer)(bytes.length);
  for (let i = 0; i < bytes.length; i++) b[i] = bytes[i];
  return b;
}
function copyBytes(v) {
  const src = viewBytes(v), out = new Uint8ArrayCtor(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i];
  return out;
}
function dataBytes(data, enc, what) {
  if (typeof data === 'string') return stringToBytes(data, enc);
  if (isView(data)) return copyBytes(data);
  throw nodeErr(TypeErrorCtor, 'ERR_INVALID_ARG_TYPE', 'The "' + what + '" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received ' + describeReceived(data));
}
function describeReceived(v) {
  if (v === null || v === undefined) return 'type ' + (v === null ? 'null' : 'undefined');
  if (typeof v === 'function') return 'function ' + (v.name || '<anonymous>');
  if (typeof v === 'object') return 'an instance of ' + (getConstructorName(v) || 'Object');
  return 'type ' + typeof v + ' (' + briefInspect(v) + ')';
}

// ---- hashes ----
// Padding shared by MD5 and SHA: 0x80, zeros, then the message length in bits.
function padMessage(msg, block, lenBytes, bigEndian) {
  const len = msg.length;
  const total = MathFloor((len + lenBytes) / block) * block + block;
  const out = new Uint8ArrayCtor(total);
  for (let i = 0; i < len; i++) out[i] = msg[i];
  out[len] = 0x80;
  const lo = (len * 8) % 4294967296, hi = MathFloor((len * 8) / 4294967296);
  if (bigEndian) {
    out[total - 8] = hi >>> 24; out[total - 7] = (hi >>> 16) & 255; out[total - 6] = (hi >>> 8) & 255; out[total - 5] = hi & 255;
    out[total - 4] = lo >>> 24; out[total - 3] = (lo >>> 16) & 255; out[total - 2] = (lo >>> 8) & 255; out[total - 1] = lo & 255;
  } else {
    out[total - 8] = lo & 255; out[total - 7] = (lo >>> 8) & 255; out[total - 6] = (lo >>> 16) & 255; out[total - 5] = lo >>> 24;
    out[total - 4] = hi & 255; out[total - 3] = (hi >>> 8) & 255; out[total - 2] = (hi >>> 16) & 255; out[total - 1] = hi >>> 24;
  }
  return out;
}
function be32(b, p) { return (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]; }
function putBe32(out, p, v) { out[p] = v >>> 24; out[p + 1] = (v >>> 16) & 255; out[p + 2] = (v >>> 8) & 255; out[p + 3] = v & 255; }

// Integer k-th root (k = 2 or 3) of a non-negative BigInt, by Newton's method from above.
function iroot(x, k) {
  const K = BigIntCtor(k);
  let r = BigIntCtor(MathFloor(NumberCtor(x) ** (1 / k) * (1 + 1e-9))) + 2n;
  for (;;) {
    const y = ((K - 1n) * r + x / r ** (K - 1n)) / K;
    if (y >= r) break;
    r = y;
  }
  while (r ** K > x) r -= 1n;
  return r;
}
function firstPrimes(n) {
  const out = [];
  for (let c = 2; out.length < n; c++) {
    let prime = true;
    for (let d = 2; d * d <= c; d++) if (c % d === 0) { prime = false; break; }
    if (prime) push(out, c);
  }
  return out;
}
let HASH_CONSTS = null;
function hashConsts() {
  if (HASH_CONSTS !== null) return HASH_CONSTS;
  const primes = firstPrimes(80);
  const M32 = 0xffffffffn;
  const low32 = (v) => NumberCtor(v & M32) | 0;
  const md5K = new Int32ArrayCtor(64);
  for (let i = 0; i < 64; i++) md5K[i] = MathFloor(MathAbs(MathSin(i + 1)) * 4294967296) | 0;
  const k256 = new Int32ArrayCtor(64), h256 = new Int32ArrayCtor(8), h224 = new Int32ArrayCtor(8);
  for (let i = 0; i < 64; i++) k256[i] = low32(iroot(BigIntCtor(primes[i]) << 96n, 3));
  for (let i = 0; i < 8; i++) h256[i] = low32(iroot(BigIntCtor(primes[i]) << 64n, 2));
  const k512h = new Int32ArrayCtor(80), k512l = new Int32ArrayCtor(80);
  for (let i = 0; i < 80; i++) { const v = iroot(BigIntCtor(primes[i]) << 192n, 3); k512h[i] = low32(v >> 32n); k512l[i] = low32(v); }
  const h512h = new Int32ArrayCtor(8), h512l = new Int32ArrayCtor(8), h384h = new Int32ArrayCtor(8), h384l = new Int32ArrayCtor(8);
  for (let i = 0; i < 8; i++) {
    const a = iroot(BigIntCtor(primes[i]) << 128n, 2), b = iroot(BigIntCtor(primes[i + 8]) << 128n, 2);
    h512h[i] = low32(a >> 32n); h512l[i] = low32(a);
    h384h[i] = low32(b >> 32n); h384l[i] = low32(b);
    h224[i] = low32(b); // SHA-224: the second 32 bits of the fractional parts of the 9th..16th primes' roots
  }
  HASH_CONSTS = { md5K, k256, h256, h224, k512h, k512l, h512h, h512l, h384h, h384l };
  return HASH_CONSTS;
}

const MD5_SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
function md5(msg) {
  const K = hashConsts().md5K;
  const m = padMessage(msg, 64, 8, false);
  let a0 = 0x67452301, b0 = 0xefcdab89 | 0, c0 = 0x98badcfe | 0, d0 = 0x10325476;
  const X = new Int32ArrayCtor(16);
  for (let off = 0; off < m.length; off += 64) {
    for (let j = 0; j < 16; j++) { const p = off + 4 * j; X[j] = m[p] | (m[p + 1] << 8) | (m[p + 2] << 16) | (m[p + 3] << 24); }
    let a = a0, b = b0, c = c0, d = d0;
    for (let i = 0; i < 64; i++) {
      let f, g;
      if (i < 16) { f = (b & c) | (~b & d); g = i; }
      else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) & 15; }
      else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) & 15; }
      else { f = c ^ (b | ~d); g = (7 * i) & 15; }
      const s = MD5_SHIFTS[((i >> 4) << 2) | (i & 3)];
      const t = (a + f + K[i] + X[g]) | 0;
      a = d; d = c; c = b;
      b = (b + ((t << s) | (t >>> (32 - s)))) | 0;
    }
    a0 = (a0 + a) | 0; b0 = (b0 + b) | 0; c0 = (c0 + c) | 0; d0 = (d0 + d) | 0;
  }
  const out = new Uint8ArrayCtor(16), hs = [a0, b0, c0, d0];
  for (let i = 0; i < 4; i++) { const v = hs[i]; out[4 * i] = v & 255; out[4 * i + 1] = (v >>> 8) & 255; out[4 * i + 2] = (v >>> 16) & 255; out[4 * i + 3] = v >>> 24; }
  return out;
}

function sha1(msg) {
  const m = padMessage(msg, 64, 8, true);
  let h0 = 0x67452301, h1 = 0xefcdab89 | 0, h2 = 0x98badcfe | 0, h3 = 0x10325476, h4 = 0xc3d2e1f0 | 0;
  const W = new Int32ArrayCtor(80);
  for (let off = 0; off < m.length; off += 64) {
    for (let t = 0; t < 16; t++) W[t] = be32(m, off + 4 * t);
    for (let t = 16; t < 80; t++) { const x = W[t - 3] ^ W[t - 8] ^ W[t - 14] ^ W[t - 16]; W[t] = (x << 1) | (x >>> 31); }
    let a = h0, b = h1, c = h2, d = h3, e = h4;
    for (let t = 0; t < 80; t++) {
      let f, k;
      if (t < 20) { f = (b & c) | (~b & d); k = 0x5a827999; }
      else if (t < 40) { f = b ^ c ^ d; k = 0x6ed9eba1; }
      else if (t < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc | 0; }
      else { f = b ^ c ^ d; k = 0xca62c1d6 | 0; }
      const temp = (((a << 5) | (a >>> 27)) + f + e + k + W[t]) | 0;
      e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = temp;
    }
    h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0; h4 = (h4 + e) | 0;
  }
  const out = new Uint8ArrayCtor(20), hs = [h0, h1, h2, h3, h4];
  for (let i = 0; i < 5; i++) putBe32(out, 4 * i, hs[i]);
  return out;
}

function sha256Family(msg, words) {
  const C = hashConsts(), K = C.k256, init = words === 7 ? C.h224 : C.h256;
  const m = padMessage(msg, 64, 8, true);
  const H = new Int32ArrayCtor(8);
  for (let i = 0; i < 8; i++) H[i] = init[i];
  const W = new Int32ArrayCtor(64);
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  for (let off = 0; off < m.length; off += 64) {
    for (let t = 0; t < 16; t++) W[t] = be32(m, off + 4 * t);
    for (let t = 16; t < 64; t++) {
      const x = W[t - 15], y = W[t - 2];
      const s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3), s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10);
      W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
    }
    let a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
    for (let t = 0; t < 64; t++) {
      const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25), ch = (e & f) ^ (~e & g);
      const t1 = (h + S1 + ch + K[t] + W[t]) | 0;
      const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22), maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    H[0] = (H[0] + a) | 0; H[1] = (H[1] + b) | 0; H[2] = (H[2] + c) | 0; H[3] = (H[3] + d) | 0;
    H[4] = (H[4] + e) | 0; H[5] = (H[5] + f) | 0; H[6] = (H[6] + g) | 0; H[7] = (H[7] + h) | 0;
  }
  const out = new Uint8ArrayCtor(4 * words);
  for (let i = 0; i < words; i++) putBe32(out, 4 * i, H[i]);
  return out;
}

// SHA-512/384 on 64-bit words held as (high, low) 32-bit halves.
function sha512Family(msg, words) {
  const C = hashConsts();
  const Kh = C.k512h, Kl = C.k512l, ih = words === 6 ? C.h384h : C.h512h, il = words === 6 ? C.h384l : C.h512l;
  const m = padMessage(msg, 128, 16, true);
  const Hh = new Int32ArrayCtor(8), Hl = new Int32ArrayCtor(8);
  for (let i = 0; i < 8; i++) { Hh[i] = ih[i]; Hl[i] = il[i]; }
  const Wh = new Int32ArrayCtor(80), Wl = new Int32ArrayCtor(80);
  const P32 = 4294967296;
  for (let off = 0; off < m.length; off += 128) {
    for (let t = 0; t < 16; t++) { Wh[t] = be32(m, off + 8 * t); Wl[t] = be32(m, off + 8 * t + 4); }
    for (let t = 16; t < 80; t++) {
      let xh = Wh[t - 15], xl = Wl[t - 15];
      const s0h = ((xh >>> 1) | (xl << 31)) ^ ((xh >>> 8) | (xl << 24)) ^ (xh >>> 7);
      const s0l = ((xl >>> 1) | (xh << 31)) ^ ((xl >>> 8) | (xh << 24)) ^ ((xl >>> 7) | (xh << 25));
      xh = Wh[t - 2]; xl = Wl[t - 2];
      const s1h = ((xh >>> 19) | (xl << 13)) ^ ((xl >>> 29) | (xh << 3)) ^ (xh >>> 6);
      const s1l = ((xl >>> 19) | (xh << 13)) ^ ((xh >>> 29) | (xl << 3)) ^ ((xl >>> 6) | (xh << 26));
      const lo = (Wl[t - 16] >>> 0) + (s0l >>> 0) + (Wl[t - 7] >>> 0) + (s1l >>> 0);
      Wh[t] = (Wh[t - 16] + s0h + Wh[t - 7] + s1h + MathFloor(lo / P32)) | 0;
      Wl[t] = lo | 0;
    }
    let ah = Hh[0], al = Hl[0], bh = Hh[1], bl = Hl[1], ch = Hh[2], cl = Hl[2], dh = Hh[3], dl = Hl[3];
    let eh = Hh[4], el = Hl[4], fh = Hh[5], fl = Hl[5], gh = Hh[6], gl = Hl[6], hh = Hh[7], hl = Hl[7];
    for (let t = 0; t < 80; t++) {
      const S1h = ((eh >>> 14) | (el << 18)) ^ ((eh >>> 18) | (el << 14)) ^ ((el >>> 9) | (eh << 23));
      const S1l = ((el >>> 14) | (eh << 18)) ^ ((el >>> 18) | (eh << 14)) ^ ((eh >>> 9) | (el << 23));
      const chh = (eh & fh) ^ (~eh & gh), chl = (el & fl) ^ (~el & gl);
      const t1lo = (hl >>> 0) + (S1l >>> 0) + (chl >>> 0) + (Kl[t] >>> 0) + (Wl[t] >>> 0);
      const t1h = (hh + S1h + chh + Kh[t] + Wh[t] + MathFloor(t1lo / P32)) | 0, t1l = t1lo | 0;
      const S0h = ((ah >>> 28) | (al << 4)) ^ ((al >>> 2) | (ah << 30)) ^ ((al >>> 7) | (ah << 25));
      const S0l = ((al >>> 28) | (ah << 4)) ^ ((ah >>> 2) | (al << 30)) ^ ((ah >>> 7) | (al << 25));
      const majh = (ah & bh) ^ (ah & ch) ^ (bh & ch), majl = (al & bl) ^ (al & cl) ^ (bl & cl);
      const t2lo = (S0l >>> 0) + (majl >>> 0);
      const t2h = (S0h + majh + MathFloor(t2lo / P32)) | 0, t2l = t2lo | 0;
      hh = gh; hl = gl; gh = fh; gl = fl; fh = eh; fl = el;
      const elo = (dl >>> 0) + (t1l >>> 0);
      eh = (dh + t1h + MathFloor(elo / P32)) | 0; el = elo | 0;
      dh = ch; dl = cl; ch = bh; cl = bl; bh = ah; bl = al;
      const alo = (t1l >>> 0) + (t2l >>> 0);
      ah = (t1h + t2h + MathFloor(alo / P32)) | 0; al = alo | 0;
    }
    const fold = (i, xh, xl) => { const lo = (Hl[i] >>> 0) + (xl >>> 0); Hh[i] = (Hh[i] + xh + MathFloor(lo / P32)) | 0; Hl[i] = lo | 0; };
    fold(0, ah, al); fold(1, bh, bl); fold(2, ch, cl); fold(3, dh, dl); fold(4, eh, el); fold(5, fh, fl); fold(6, gh, gl); fold(7, hh, hl);
  }
  const out = new Uint8ArrayCtor(8 * words);
  for (let i = 0; i < words; i++) { putBe32(out, 8 * i, Hh[i]); putBe32(out, 8 * i + 4, Hl[i]); }
  return out;
}

/** The hash for a name, or throws: unsupported when Node has it (sha3, ripemd...), Node's error when nobody does. */
function hashOf(name, call, errorFor) {
  const n = StringToLowerCase(StringCtor2(name));
  const { HASHES, HASH_ALIASES } = hashTables();
  const h = HASHES[HASH_ALIASES[n] !== undefined ? HASH_ALIASES[n] : n];
  if (h !== undefined) return h;
  if (SetHas(nodeInfo().hashes, n)) throw unsupported('crypto', call + '(' + stringify(StringCtor2(name)) + ')');
  throw errorFor(name);
}
const digestNotSupported = () => new ErrorCtor('Digest method not supported');
const finalized = () => nodeErr(ErrorCtor, 'ERR_CRYPTO_HASH_FINALIZED', 'Digest already called');
function encodeDigest(bytes, enc) {
  if (enc === undefined || normEncoding(enc) === 'buffer' || normEncoding(enc) === null) return toBuffer(bytes);
  return bytesToString(bytes, enc);
}
function concatChunks(chunks) {
  let n = 0;
  for (let i = 0; i < chunks.length; i++) n += chunks[i].length;
  const out = new Uint8ArrayCtor(n);
  let p = 0;
  for (let i = 0; i < chunks.length; i++) { const c = chunks[i]; for (let j = 0; j < c.length; j++) out[p++] = c[j]; }
  return out;
}
function hmacBytes(hash, key, msg) {
  let k = key;
  if (k.length > hash.block) k = hash.fn(k);
  const ipad = new Uint8ArrayCtor(hash.block + msg.length), opad = new Uint8ArrayCtor(hash.block);
  for (let i = 0; i < hash.block; i++) { const b = i < k.length ? k[i] : 0; ipad[i] = b ^ 0x36; opad[i] = b ^ 0x5c; }
  for (let i = 0; i < msg.length; i++) ipad[hash.block + i] = msg[i];
  const inner = hash.fn(ipad);
  return hash.fn(concatChunks([opad, inner]));
}
// Classes and tables, created at first use (per-context shim time stays small).
let NODE_CLASSES = null;
function nodeClasses() {
  if (NODE_CLASSES !== null) return NODE_CLASSES;
  /** What digest() returns without an encoding: bytes with Buffer's toString/equals/toJSON. */
  class Buffer extends Uint8ArrayCtor {
    toString(enc, start, end) { return bytesToString(this, enc, start, end); }
    equals(other) { return isView(other) && sameBytes(viewBytes(this), viewBytes(other)); }
    toJSON() { const data = []; for (let i = 0; i < this.length; i++) push(data, this[i]); return { type: 'Buffer', data }; }
    [inspectCustom]() {
      let s = '';
      const n = MathMin(this.length, 50);
      for (let i = 0; i < n; i++) s += ' ' + (this[i] < 16 ? '0' : '') + this[i].toString(16);
      if (this.length > 50) s += ' ... ' + (this.length - 50) + ' more byte' + (this.length - 50 > 1 ? 's' : '');
      return '<Buffer' + s + '>';
    }
  }
  class ShimTextEncoder {
    get encoding() { return 'utf-8'; }
    encode(input) { return utf8Encode(input === undefined ? '' : StringCtor2(input)); }
    encodeInto(src, dest) {
      const bytes = utf8Encode(StringCtor2(src));
      let written = 0, read = 0, i = 0;
      const s = StringCtor2(src);
      while (read < s.length) {
        const c = StringCharCodeAt(s, read);
        const pair = c >= 0xd800 && c <= 0xdbff && read + 1 < s.length && (StringCharCodeAt(s, read + 1) & 0xfc00) === 0xdc00;
        const len = c < 0x80 ? 1 : c < 0x800 ? 2 : pair ? 4 : 3;
        if (written + len > dest.length) break;
        for (let k = 0; k < len; k++) dest[written + k] = bytes[i + k];
        written += len; i += len; read += pair ? 2 : 1;
      }
      return { read, written };
    }
  }
  class ShimTextDecoder {
    constructor(label, options) {
      const l = label === undefined ? 'utf-8' : StringToLowerCase(StringCtor2(label));
      if (l === 'utf-8' || l === 'utf8' || l === 'unicode-1-1-utf-8') this._enc = 'utf-8';
      else if (l === 'utf-16le' || l === 'utf-16') this._enc = 'utf-16le';
      else throw unsupported('util', 'TextDecoder(' + stringify(StringCtor2(label)) + ')');
      this._fatal = !!(options && options.fatal);
      this._ignoreBOM = !!(options && options.ignoreBOM);
    }
    get encoding() { return this._enc; }
    get fatal() { return this._fatal; }
    get ignoreBOM() { return this._ignoreBOM; }
    decode(input) {
      let b;
      if (input === undefined) b = new Uint8ArrayCtor(0);
      else if (isView(input)) b = viewBytes(input);
      else if (isAnyArrayBuffer(input)) b = new Uint8ArrayCtor(input);
      else throw nodeErr(TypeErrorCtor, 'ERR_INVALID_ARG_TYPE', 'The "input" argument must be an instance of ArrayBuffer or ArrayBufferView.');
      let s = this._enc === 'utf-8' ? utf8Decode(b, 0, b.length, this._fatal) : bytesToString(b, 'utf16le');
      if (!this._ignoreBOM && StringCharCodeAt(s, 0) === 0xfeff) s = StringSlice(s, 1);
      return s;
    }
  }
  ObjectDefineProperty(ShimTextEncoder, 'name', { __proto__: null, value: 'TextEncoder' });
  ObjectDefineProperty(ShimTextDecoder, 'name', { __proto__: null, value: 'TextDecoder' });

  class Hash {
    constructor(algorithm, hash, chunks) {
      defProp(this, '_algorithm', algorithm, false);
      defProp(this, '_hash', hash, false);
      defProp(this, '_chunks', chunks || [], false);
      defProp(this, '_done', false, false);
    }
    update(data, encoding) {
      if (this._done) throw finalized();
      push(this._chunks, dataBytes(data, encoding, 'data'));
      return this;
    }
    digest(encoding) {
      if (this._done) throw finalized();
      this._done = true;
      return encodeDigest(this._hash.fn(concatChunks(this._chunks)), encoding);
    }
    copy() {
      if (this._done) throw finalized();
      const chunks = [];
      for (let i = 0; i < this._chunks.length; i++) push(chunks, this._chunks[i]);
      return new Hash(this._algorithm, this._hash, chunks);
    }
  }
  class Hmac {
    constructor(hash, key) {
      defProp(this, '_hash', hash, false);
      defProp(this, '_key', key, false);
      defProp(this, '_chunks', [], false);
      defProp(this, '_done', false, false);
    }
    update(data, encoding) {
      if (this._done) throw finalized();
      push(this._chunks, dataBytes(data, encoding, 'data'));
      return this;
    }
    digest(encoding) {
      if (this._done) return encodeDigest(new Uint8ArrayCtor(0), encoding); // Node: an empty digest the second time
      this._done = true;
      return encodeDigest(hmacBytes(this._hash, this._key, concatChunks(this._chunks)), encoding);
    }
  }
  NODE_CLASSES = { __proto__: null, Buffer, TextEncoder: ShimTextEncoder, TextDecoder: ShimTextDecoder, Hash, Hmac };
  return NODE_CLASSES;
}
let HASH_TABLES = null;
function hashTables() {
  if (HASH_TABLES !== null) return HASH_TABLES;
  const HASHES = {
    __proto__: null,
    md5: { fn: md5, block: 64 }, sha1: { fn: sha1, block: 64 },
    sha224: { fn: (m) => sha256Family(m, 7), block: 64 }, sha256: { fn: (m) => sha256Family(m, 8), block: 64 },
    sha384: { fn: (m) => sha512Family(m, 6), block: 128 }, sha512: { fn: (m) => sha512Family(m, 8), block: 128 },
  };
  const HASH_ALIASES = {
    __proto__: null,
    'rsa-md5': 'md5', 'ssl3-md5': 'md5', md5withrsaencryption: 'md5',
    'sha-1': 'sha1', 'rsa-sha1': 'sha1', 'rsa-sha1-2': 'sha1', 'ssl3-sha1': 'sha1', sha1withrsaencryption: 'sha1',
    'sha-224': 'sha224', 'sha2-224': 'sha224', 'rsa-sha224': 'sha224', sha224withrsaencryption: 'sha224',
    'sha-256': 'sha256', 'sha2-256': 'sha256', 'rsa-sha256': 'sha256', sha256withrsaencryption: 'sha256',
    'sha-384': 'sha384', 'sha2-384': 'sha384', 'rsa-sha384': 'sha384', sha384withrsaencryption: 'sha384',
    'sha-512': 'sha512', 'sha2-512': 'sha512', 'rsa-sha512': 'sha512', sha512withrsaencryption: 'sha512',
  };
  HASH_TABLES = { __proto__: null, HASHES, HASH_ALIASES };
  return HASH_TABLES;
}
function makeCrypto() {
  const mod = {
    createHash(algorithm) {
      return new (nodeClasses().Hash)(algorithm, hashOf(algorithm, 'crypto.createHash', digestNotSupported), null);
    },
    createHmac(algorithm, key) {
      const h = hashOf(algorithm, 'crypto.createHmac', (n) => nodeErr(TypeErrorCtor, 'ERR_CRYPTO_INVALID_DIGEST', 'Invalid digest: ' + StringCtor2(n)));
      if (isObjLike(key) && !isView(key)) throw unsupported('crypto', 'crypto.createHmac with a KeyObject');
      return new (nodeClasses().Hmac)(h, dataBytes(key, 'utf8', 'key'));
    },
    hash(algorithm, data, outputEncoding) {
      const h = hashOf(algorithm, 'crypto.hash', digestNotSupported);
      if (typeof data !== 'string' && !isView(data)) dataBytes(data, 'utf8', 'data');
      return encodeDigest(h.fn(dataBytes(data, 'utf8', 'data')), outputEncoding === undefined ? 'hex' : outputEncoding);
    },
    getHashes() {
      const out = [];
      SetForEach(nodeInfo().hashes, (h) => { push(out, h); });
      return out;
    },
    timingSafeEqual(a, b) {
      if (!isView(a) || !isView(b)) throw nodeErr(TypeErrorCtor, 'ERR_INVALID_ARG_TYPE', 'The "buf1" and "buf2" arguments must be instances of ArrayBuffer, Buffer, TypedArray, or DataView.');
      const x = viewBytes(a), y = viewBytes(b);
      if (x.length !== y.length) throw nodeErr(RangeErrorCtor, 'ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH', 'Input buffers must have the same byte length');
      return sameBytes(x, y);
    },
    Hash: nodeClasses().Hash, Hmac: nodeClasses().Hmac,
  };
  return mod;
}

// ---- events ----
function makeEvents() {
  function checkListener(l) {
    if (typeof l !== 'function') throw nodeErr(TypeErrorCtor, 'ERR_INVALID_ARG_TYPE', 'The "listener" argument must be of type function. Received ' + describeReceived(l));
  }
  function EventEmitter(opts) { EventEmitter.init.call(this, opts); }
  EventEmitter.prototype._events = undefined;
  EventEmitter.prototype._eventsCount = 0;
  EventEmitter.prototype._maxListeners = undefined;
  EventEmitter.defaultMaxListeners = 10;
  EventEmitter.errorMonitor = SymbolCtor('events.errorMonitor');
  EventEmitter.captureRejectionSymbol = SymbolFor('nodejs.rejection');
  EventEmitter.usingDomains = false;
  EventEmitter.init = function () {
    if (this._events === undefined || this._events === ObjectGetPrototypeOf(this)._events) {
      this._events = ObjectCreate(null);
      this._eventsCount = 0;
    }
    this._maxListeners = this._maxListeners || undefined;
  };
  function addListener(target, type, listener, prepend) {
    checkListener(listener);
    let events = target._events;
    if (events === undefined) {
      events = target._events = ObjectCreate(null);
      target._eventsCount = 0;
    } else if (events.newListener !== undefined) {
      target.emit('newListener', type, listener.listener ? listener.listener : listener);
      events = target._events;
    }
    const existing = events[type];
    if (existing === undefined) {
      events[type] = listener;
      ++target._eventsCount;
    } else if (typeof existing === 'function') {
      events[type] = prepend ? [listener, existing] : [existing, listener];
    } else if (prepend) existing.unshift(listener);
    else existing.push(listener);
    return target;
  }
  function onceWrap(target, type, listener) {
    const state = { fired: false, wrapFn: undefined, target, type, listener };
    const wrapped = function (...args) {
      if (!state.fired) {
        state.target.removeListener(state.type, state.wrapFn);
        state.fired = true;
        return ReflectApply(state.listener, state.target, args);
      }
    };
    wrapped.listener = listener;
    state.wrapFn = wrapped;
    return wrapped;
  }
  const P = EventEmitter.prototype;
  P.setMaxListeners = function (n) { this._maxListeners = n; return this; };
  P.getMaxListeners = function () { return this._maxListeners === undefined ? EventEmitter.defaultMaxListeners : this._maxListeners; };
  P.emit = function (type, ...args) {
    const events = this._events;
    if (type === 'error' && (events === undefined || events.error === undefined)) {
      if (events !== undefined && events[EventEmitter.errorMonitor] !== undefined) this.emit(EventEmitter.errorMonitor, ...args);
      const er = args[0];
      if (isErrorLike(er)) throw er;
      const err = nodeErr(ErrorCtor, 'ERR_UNHANDLED_ERROR', 'Unhandled error. (' + briefInspect(er) + ')');
      err.context = er;
      throw err;
    }
    if (events === undefined) return false;
    const handler = events[type];
    if (handler === undefined) return false;
    if (typeof handler === 'function') ReflectApply(handler, this, args);
    else {
      const ls = handler.slice();
      for (let i = 0; i < ls.length; i++) ReflectApply(ls[i], this, args);
    }
    return true;
  };
  P.addListener = function (type, listener) { return addListener(this, type, listener, false); };
  P.on = P.addListener;
  P.prependListener = function (type, listener) { return addListener(this, type, listener, true); };
  P.once = function (type, listener) { checkListener(listener); this.on(type, onceWrap(this, type, listener)); return this; };
  P.prependOnceListener = function (type, listener) { checkListener(listener); this.prependListener(type, onceWrap(this, type, listener)); return this; };
  P.removeListener = function (type, listener) {
    checkListener(listener);
    const events = this._events;
    if (events === undefined) return this;
    const list = events[type];
    if (list === undefined) return this;
    if (list === listener || list.listener === listener) {
      if (--this._eventsCount === 0) this._events = ObjectCreate(null);
      else {
        delete events[type];
        if (events.removeListener) this.emit('removeListener', type, list.listener || listener);
      }
    } else if (typeof list !== 'function') {
      let position = -1;
      for (let i = list.length - 1; i >= 0; i--) {
        if (list[i] === listener || list[i].listener === listener) { position = i; break; }
      }
      if (position < 0) return this;
      if (position === 0) list.shift();
      else list.splice(position, 1);
      if (list.length === 1) events[type] = list[0];
      if (events.removeListener !== undefined) this.emit('removeListener', type, listener);
    }
    return this;
  };
  P.off = P.removeListener;
  P.removeAllListeners = function (type) {
    const events = this._events;
    if (events === undefined) return this;
    if (arguments.length === 0) { this._events = ObjectCreate(null); this._eventsCount = 0; }
    else if (events[type] !== undefined) {
      if (--this._eventsCount === 0) this._events = ObjectCreate(null);
      else delete events[type];
    }
    return this;
  };
  const listenersOf = (target, type, unwrap) => {
    const events = target._events;
    if (events === undefined) return [];
    const l = events[type];
    if (l === undefined) return [];
    if (typeof l === 'function') return unwrap ? [l.listener || l] : [l];
    return unwrap ? l.map((x) => x.listener || x) : l.slice();
  };
  P.listeners = function (type) { return listenersOf(this, type, true); };
  P.rawListeners = function (type) { return listenersOf(this, type, false); };
  P.listenerCount = function (type, listener) {
    const ls = listenersOf(this, type, false);
    if (listener === undefined) return ls.length;
    let n = 0;
    for (let i = 0; i < ls.length; i++) if (ls[i] === listener || ls[i].listener === listener) n++;
    return n;
  };
  P.eventNames = function () { return this._eventsCount > 0 ? ReflectOwnKeys(this._events) : []; };
  EventEmitter.EventEmitter = EventEmitter;
  EventEmitter.listenerCount = (emitter, type) => emitter.listenerCount(type);
  EventEmitter.getEventListeners = (emitter, type) => emitter.listeners(type);
  EventEmitter.once = (emitter, name) => new PromiseCtor((resolve, reject) => {
    const onError = (err) => { emitter.removeListener(name, onEvent); reject(err); };
    const onEvent = (...args) => { if (name !== 'error') emitter.removeListener('error', onError); resolve(args); };
    emitter.once(name, onEvent);
    if (name !== 'error') emitter.once('error', onError);
  });
  return EventEmitter;
}
`;
