// safetensors read/write (the Hugging Face format): 8-byte little-endian header length N,
// N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__: {k: str}},
// then the tensor bytes, offsets relative to the end of the header. F32 in memory; F32, F16
// or BF16 on disk. Every structural defect is an error naming the tensor or field.
// Not a lazy/mmap reader and not the integer dtypes (optimizer steps live in JSON).
import { crc32 } from 'node:zlib';

export const DiskDType = ['F32', 'F16', 'BF16'] as const;
export type DiskDType = (typeof DiskDType)[number];
const BYTES: Record<DiskDType, number> = { F32: 4, F16: 2, BF16: 2 };

export interface NamedTensor {
  shape: readonly number[];
  data: Float32Array;
}

export class SafetensorsError extends Error {
  readonly code:
    | 'TRUNCATED'
    | 'BAD_HEADER'
    | 'BAD_DTYPE'
    | 'BAD_SHAPE'
    | 'BAD_OFFSETS'
    | 'CHECKSUM_MISMATCH'
    | 'BAD_TENSOR';
  /** The tensor name or header field at fault ('(header)' for the length prefix). */
  readonly field: string;
  constructor(code: SafetensorsError['code'], field: string, message: string) {
    super(`safetensors: ${field}: ${message}`);
    this.name = 'SafetensorsError';
    this.code = code;
    this.field = field;
  }
}

/** Metadata key under which the writer stores per-tensor CRC32s (JSON {name: hex}). */
export const CRC_KEY = 'ace.crc32';
const MAX_HEADER_BYTES = 100_000_000; // the reference implementation's limit

export interface WriteOptions {
  /** On-disk dtype for every tensor (default F32). */
  dtype?: DiskDType;
  /** String metadata (__metadata__); values must be strings per the format. */
  metadata?: Record<string, string>;
  /** Store a CRC32 per tensor in metadata so a flipped data byte names its tensor (default true). */
  checksums?: boolean;
}

/** Serialize tensors (in insertion order, packed without gaps). */
export function writeSafetensors(tensors: ReadonlyMap<string, NamedTensor>, opts: WriteOptions = {}): Uint8Array {
  const dtype = opts.dtype ?? 'F32';
  const header: Record<string, unknown> = {};
  const blobs: Uint8Array[] = [];
  const crcs: Record<string, string> = {};
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === '__metadata__') throw new SafetensorsError('BAD_TENSOR', name, 'reserved tensor name');
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) {
      throw new SafetensorsError('BAD_SHAPE', name, `shape [${t.shape.join(', ')}] needs ${n} values, got ${t.data.length}`);
    }
    const blob = toDisk(t.data, dtype);
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + blob.length] };
    crcs[name] = crc32(blob).toString(16).padStart(8, '0');
    blobs.push(blob);
    offset += blob.length;
  }
  const meta: Record<string, string> = { format: 'pt', ...opts.metadata };
  if (opts.checksums ?? true) meta[CRC_KEY] = JSON.stringify(crcs);
  header.__metadata__ = meta;
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned (allowed by the format).
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let p = 8 + headerBytes.length;
  for (const b of blobs) {
    out.set(b, p);
    p += b.length;
  }
  return out;
}

export interface ReadResult {
  tensors: Map<string, NamedTensor>;
  /** On-disk dtype per tensor. */
  dtypes: Map<string, DiskDType>;
  metadata: Record<string, string>;
}

/** Parse and validate a safetensors buffer; values come back as F32. */
export function readSafetensors(buf: Uint8Array): ReadResult {
  if (buf.length < 8) throw new SafetensorsError('TRUNCATED', '(header)', `file is ${buf.length} bytes, shorter than the 8-byte length prefix`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(Math.min(MAX_HEADER_BYTES, buf.length - 8))) {
    throw new SafetensorsError('BAD_HEADER', '(header)', `header length ${n64} exceeds the file (${buf.length} bytes) or limit`);
  }
  const n = Number(n64);
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset + 8, n).toString('utf8'));
  } catch (e) {
    throw new SafetensorsError('BAD_HEADER', '(header)', `header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new SafetensorsError('BAD_HEADER', '(header)', 'header is not a JSON object');
  }
  const dataStart = 8 + n;
  const dataLen = buf.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: DiskDType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw new SafetensorsError('BAD_HEADER', '__metadata__', 'must be an object of strings');
      }
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v !== 'string') throw new SafetensorsError('BAD_HEADER', `__metadata__.${k}`, 'value must be a string');
        metadata[k] = v;
      }
      continue;
    }
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof info !== 'object' || info === null) throw new SafetensorsError('BAD_TENSOR', name, 'entry is not an object');
    if (!DiskDType.includes(info.dtype as DiskDType)) {
      throw new SafetensorsError('BAD_DTYPE', name, `dtype ${JSON.stringify(info.dtype)} not supported (F32, F16, BF16)`);
    }
    const dtype = info.dtype as DiskDType;
    if (!Array.isArray(info.shape) || !info.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new SafetensorsError('BAD_SHAPE', name, `shape ${JSON.stringify(info.shape)} is not a list of non-negative integers`);
    }
    const shape = info.shape as number[];
    const off = info.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isInteger(d) && d >= 0) || off[1] < off[0]) {
      throw new SafetensorsError('BAD_OFFSETS', name, `data_offsets ${JSON.stringify(off)} is not [begin, end] with begin <= end`);
    }
    const [begin, end] = off as [number, number];
    const numel = shape.reduce((a, b) => a * b, 1);
    if (end - begin !== numel * BYTES[dtype]) {
      throw new SafetensorsError(
        'BAD_OFFSETS',
        name,
        `data_offsets [${begin}, ${end}] hold ${end - begin} bytes, shape [${shape.join(', ')}] ${dtype} needs ${numel * BYTES[dtype]}`,
      );
    }
    if (end > dataLen) {
      throw new SafetensorsError('TRUNCATED', name, `data_offsets end ${end} is beyond the ${dataLen} data bytes (file truncated?)`);
    }
    entries.push({ name, dtype, shape, begin, end });
  }
  // The format requires the byte buffer to be covered exactly, without holes or overlaps.
  entries.sort((a, b) => a.begin - b.begin);
  let cursor = 0;
  for (const e of entries) {
    if (e.begin !== cursor) {
      throw new SafetensorsError('BAD_OFFSETS', e.name, `data_offsets begin ${e.begin}, expected ${cursor} (hole or overlap)`);
    }
    cursor = e.end;
  }
  if (cursor !== dataLen) {
    throw new SafetensorsError('BAD_OFFSETS', '(data)', `tensors cover ${cursor} bytes but the file holds ${dataLen} data bytes`);
  }
  let crcs: Record<string, string> | null = null;
  if (metadata[CRC_KEY] !== undefined) {
    try {
      crcs = JSON.parse(metadata[CRC_KEY]) as Record<string, string>;
    } catch {
      throw new SafetensorsError('BAD_HEADER', `__metadata__.${CRC_KEY}`, 'not valid JSON');
    }
  }
  const tensors = new Map<string, NamedTensor>();
  const dtypes = new Map<string, DiskDType>();
  for (const e of entries) {
    const bytes = buf.subarray(dataStart + e.begin, dataStart + e.end);
    if (crcs) {
      const want = crcs[e.name];
      const got = crc32(bytes).toString(16).padStart(8, '0');
      if (want !== undefined && want !== got) {
        throw new SafetensorsError('CHECKSUM_MISMATCH', e.name, `data CRC32 ${got} does not match the stored ${want} (corrupted bytes)`);
      }
    }
    tensors.set(e.name, { shape: e.shape, data: fromDisk(bytes, e.dtype) });
    dtypes.set(e.name, e.dtype);
  }
  return { tensors, dtypes, metadata };
}

// --- dtype conversion --------------------------------------------------------------------

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** fp32 -> bf16 bits, round to nearest even; NaN stays a (quiet) NaN. */
export function f32ToBf16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0];
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) return ((b >>> 16) | 0x40) & 0xffff;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

export function bf16BitsToF32(h: number): number {
  u32[0] = h << 16;
  return f32[0];
}

/** fp32 -> IEEE fp16 bits, round to nearest even, with subnormals, overflow to +-inf. */
export function f32ToF16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal: signed zero
    mant |= 0x800000; // implicit leading one
    const shift = 14 - e; // 24-bit mantissa -> 10-bit subnormal field
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let m = mant >>> shift;
    if (rest > half || (rest === half && (m & 1) === 1)) m += 1;
    return sign | m; // m may carry into the exponent field: that is the correct result
  }
  let h = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h += 1; // may carry to inf: correct
  return sign | h;
}

export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function toDisk(data: Float32Array, dtype: DiskDType): Uint8Array {
  if (dtype === 'F32') return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const out = new Uint16Array(data.length);
  const conv = dtype === 'BF16' ? f32ToBf16Bits : f32ToF16Bits;
  for (let i = 0; i < data.length; i++) out[i] = conv(data[i]);
  return new Uint8Array(out.buffer);
}

function fromDisk(bytes: Uint8Array, dtype: DiskDType): Float32Array {
  // Copy first: the slice may not be 4-byte aligned inside the file buffer. (Not .slice():
  // on a Node Buffer that is a view into the shared pool.)
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  if (dtype === 'F32') return new Float32Array(copy.buffer);
  const h = new Uint16Array(copy.buffer);
  const out = new Float32Array(h.length);
  if (dtype === 'BF16') {
    // bf16 is the top half of an fp32: shift the bits into place.
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < h.length; i++) bits[i] = h[i] << 16;
  } else {
    const table = f16Table();
    for (let i = 0; i < h.length; i++) out[i] = table[h[i]];
  }
  return out;
}

let f16Values: Float32Array | null = null;
/** Every fp16 bit pattern's value (256 KB, built on first use): decoding is one lookup. */
function f16Table(): Float32Array {
  if (!f16Values) {
    f16Values = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) f16Values[h] = f16BitsToF32(h);
  }
  return f16Values;
}
