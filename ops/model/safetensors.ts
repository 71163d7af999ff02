// safetensors read/write (the Hugging Face format): 8-byte little-endian header length N,
// N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__: {k: str}},
// then the tensor bytes, offsets relative to the end of the header. F32 in memory; F32, F16
// or BF16 on disk (the conversions to F32 are exact; a NaN stays a NaN with its sign and payload).
// Every structural defect is an error naming the file (when there is one), the tensor or field.
//
// Two ways in: readSafetensors(bytes) parses a whole buffer; SafetensorsReader.open(path)
// parses only the header and reads each tensor by offset (fs.readSync straight into the target
// Float32Array for F32, through a small scratch buffer for F16/BF16), so a multi-GB file is
// never held in memory. writeSafetensors builds a buffer; writeSafetensorsFile streams to a
// file descriptor. Integer and other float dtypes are recognised in headers (so their byte
// ranges can be checked and the tensors skipped) but not converted. Little-endian hosts only.
import { readSync, writeSync, openSync, closeSync, fstatSync } from 'node:fs';
import { crc32 } from 'node:zlib';

export const DiskDType = ['F32', 'F16', 'BF16'] as const;
export type DiskDType = (typeof DiskDType)[number];
const BYTES: Record<DiskDType, number> = { F32: 4, F16: 2, BF16: 2 };

/** Byte width of every dtype the format defines: headers with these parse; only DiskDType converts. */
export const DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
};

export function isDiskDType(d: string): d is DiskDType {
  return (DiskDType as readonly string[]).includes(d);
}

export interface NamedTensor {
  shape: readonly number[];
  data: Float32Array;
}

export type SafetensorsErrorCode = 'TRUNCATED' | 'BAD_HEADER' | 'BAD_DTYPE' | 'BAD_SHAPE' | 'BAD_OFFSETS' | 'CHECKSUM_MISMATCH' | 'BAD_TENSOR';

export class SafetensorsError extends Error {
  readonly code: SafetensorsErrorCode;
  /** The tensor name or header field at fault ('(header)' for the length prefix). */
  readonly field: string;
  /** The file, when the bytes came from one. */
  readonly file: string | undefined;
  constructor(code: SafetensorsErrorCode, field: string, message: string, file?: string) {
    super(file === undefined ? `safetensors: ${field}: ${message}` : `safetensors ${file}: ${field}: ${message}\nHINT: ${hintFor(code, file)}`);
    this.name = 'SafetensorsError';
    this.code = code;
    this.field = field;
    this.file = file;
  }
}

function hintFor(code: SafetensorsErrorCode, file: string): string {
  if (code === 'BAD_DTYPE') return `only ${DiskDType.join(', ')} tensors can be read as weights; convert ${file} (e.g. save it in bfloat16)`;
  return `${file} is damaged or was not completely written, copied or downloaded; fetch or save it again`;
}

/** Metadata key under which the writer stores per-tensor CRC32s (JSON {name: hex}). */
export const CRC_KEY = 'ace.crc32';
const MAX_HEADER_BYTES = 100_000_000; // the reference implementation's limit
/** Bytes moved per read or write call when streaming a tensor (default). */
const CHUNK_BYTES = 16 << 20;

/** Streaming granularity: bytes per read or write call (a multiple of 8; default 16 MiB). */
export interface ChunkOptions {
  chunkBytes?: number;
}

function chunkSize(opts: ChunkOptions | undefined): number {
  const c = opts?.chunkBytes ?? CHUNK_BYTES;
  if (!Number.isInteger(c) || c <= 0 || c % 8 !== 0) throw new RangeError(`chunkBytes must be a positive multiple of 8, got ${c}`);
  return c;
}

export interface WriteOptions {
  /** On-disk dtype for every tensor (default F32). */
  dtype?: DiskDType;
  /** String metadata (__metadata__); values must be strings per the format. */
  metadata?: Record<string, string>;
  /** Store a CRC32 per tensor in metadata so a flipped data byte names its tensor (default true). */
  checksums?: boolean;
}

function numelOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function checkWritable(name: string, t: NamedTensor): void {
  if (name === '__metadata__') throw new SafetensorsError('BAD_TENSOR', name, 'reserved tensor name');
  const n = numelOf(t.shape);
  if (n !== t.data.length) {
    throw new SafetensorsError('BAD_SHAPE', name, `shape [${t.shape.join(', ')}] needs ${n} values, got ${t.data.length}`);
  }
}

/**
 * The header bytes (JSON padded with spaces so the data starts 8-byte aligned, as the format
 * allows) for tensors packed in insertion order. `crcs` null: no checksums. Every CRC is 8 hex
 * digits, so the header's length does not depend on their values.
 */
function headerBytes(tensors: ReadonlyMap<string, NamedTensor>, dtype: DiskDType, opts: WriteOptions, crcs: Record<string, string> | null): { bytes: Buffer; dataBytes: number } {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, t] of tensors) {
    const size = t.data.length * BYTES[dtype];
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + size] };
    offset += size;
  }
  const meta: Record<string, string> = { format: 'pt', ...opts.metadata };
  if (crcs) meta[CRC_KEY] = JSON.stringify(crcs);
  header.__metadata__ = meta;
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  return { bytes: Buffer.from(json, 'utf8'), dataBytes: offset };
}

/** Serialize tensors (in insertion order, packed without gaps) into one buffer. */
export function writeSafetensors(tensors: ReadonlyMap<string, NamedTensor>, opts: WriteOptions = {}): Uint8Array {
  const dtype = opts.dtype ?? 'F32';
  const blobs: Uint8Array[] = [];
  const crcs: Record<string, string> = {};
  for (const [name, t] of tensors) {
    checkWritable(name, t);
    const blob = toDisk(t.data, dtype);
    crcs[name] = hex8(crc32(blob));
    blobs.push(blob);
  }
  const { bytes: h, dataBytes } = headerBytes(tensors, dtype, opts, (opts.checksums ?? true) ? crcs : null);
  const out = new Uint8Array(8 + h.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  let p = 8 + h.length;
  for (const b of blobs) {
    out.set(b, p);
    p += b.length;
  }
  return out;
}

/**
 * The same bytes as writeSafetensors, streamed to an open file descriptor (from position 0)
 * in chunks: the data first, behind a header of the final length, then the header with the
 * CRCs. Returns the file's length. Errors from writeSync (ENOSPC, ...) propagate as they are.
 */
export function writeSafetensorsFile(fd: number, tensors: ReadonlyMap<string, NamedTensor>, opts: WriteOptions & ChunkOptions = {}): number {
  const dtype = opts.dtype ?? 'F32';
  const chunk = chunkSize(opts);
  const checksums = opts.checksums ?? true;
  const placeholder: Record<string, string> = {};
  for (const [name, t] of tensors) {
    checkWritable(name, t);
    placeholder[name] = '00000000';
  }
  const first = headerBytes(tensors, dtype, opts, checksums ? placeholder : null);
  let pos = 8 + first.bytes.length;
  const crcs: Record<string, string> = {};
  const step = chunk / DTYPE_BYTES[dtype]; // values per write
  const half = dtype === 'F32' ? null : new Uint16Array(Math.min(step, maxLen(tensors)));
  for (const [name, t] of tensors) {
    let crc = 0;
    for (let i = 0; i < t.data.length; i += step) {
      const part = t.data.subarray(i, Math.min(t.data.length, i + step));
      let bytes: Uint8Array;
      if (half) {
        const h = half.subarray(0, part.length);
        encodeHalf(part, dtype as 'F16' | 'BF16', h);
        bytes = new Uint8Array(h.buffer, h.byteOffset, h.byteLength);
      } else {
        bytes = new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
      }
      writeFully(fd, bytes, pos);
      pos += bytes.length;
      crc = crc32(bytes, crc);
    }
    crcs[name] = hex8(crc);
  }
  const final = headerBytes(tensors, dtype, opts, checksums ? crcs : null);
  if (final.bytes.length !== first.bytes.length) throw new Error('safetensors: header length changed while writing (bug)');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(final.bytes.length));
  writeFully(fd, prefix, 0);
  writeFully(fd, final.bytes, 8);
  return pos;
}

function maxLen(tensors: ReadonlyMap<string, NamedTensor>): number {
  let m = 1;
  for (const t of tensors.values()) m = Math.max(m, t.data.length);
  return m;
}

function writeFully(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

// --- reading ---------------------------------------------------------------------------

/** One tensor's header entry; begin/end are relative to the start of the data section. */
export interface TensorInfo {
  name: string;
  /** A key of DTYPE_BYTES; only DiskDType values can be read. */
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

interface Source {
  /** Fills `dst` from absolute file position `pos`; false when the source ends first. */
  read(dst: Uint8Array, pos: number): boolean;
  close(): void;
}

/**
 * A parsed safetensors header over a file or a buffer, reading tensors on demand. Open with
 * SafetensorsReader.open(path) (close() it when done) or SafetensorsReader.fromBytes(bytes).
 */
export class SafetensorsReader {
  /** The path, or the label given to fromBytes (used in error messages). */
  readonly file: string | undefined;
  /** Total length in bytes. */
  readonly byteLength: number;
  /** Tensors in data order. */
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  readonly metadata: Readonly<Record<string, string>>;
  private readonly dataStart: number;
  private readonly crcs: Record<string, string> | null;
  private readonly source: Source;
  private readonly chunk: number;

  private constructor(source: Source, byteLength: number, file: string | undefined, opts: ChunkOptions | undefined) {
    this.chunk = chunkSize(opts);
    this.source = source;
    this.file = file;
    this.byteLength = byteLength;
    const fail = (code: SafetensorsErrorCode, field: string, message: string) => new SafetensorsError(code, field, message, file);
    if (byteLength < 8) throw fail('TRUNCATED', '(header)', `file is ${byteLength} bytes, shorter than the 8-byte length prefix`);
    const prefix = new Uint8Array(8);
    if (!source.read(prefix, 0)) throw fail('TRUNCATED', '(header)', 'file ended inside the length prefix');
    const n64 = new DataView(prefix.buffer).getBigUint64(0, true);
    if (n64 > BigInt(Math.min(MAX_HEADER_BYTES, byteLength - 8))) {
      throw fail('BAD_HEADER', '(header)', `header length ${n64} exceeds the file (${byteLength} bytes) or limit`);
    }
    const n = Number(n64);
    const raw = new Uint8Array(n);
    if (!source.read(raw, 8)) throw fail('TRUNCATED', '(header)', 'file ended inside the header');
    const parsed = parseHeader(raw, byteLength - 8 - n, fail);
    this.tensors = parsed.tensors;
    this.metadata = parsed.metadata;
    this.crcs = parsed.crcs;
    this.dataStart = 8 + n;
  }

  /** Opens `path` and parses its header; the tensors are read later. Errors name `path`. */
  static open(path: string, opts?: ChunkOptions): SafetensorsReader {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const source: Source = {
        read(dst, pos) {
          let done = 0;
          while (done < dst.length) {
            const n = readSync(fd, dst, done, Math.min(dst.length - done, 1 << 30), pos + done);
            if (n === 0) return false;
            done += n;
          }
          return true;
        },
        close: () => closeSync(fd),
      };
      return new SafetensorsReader(source, size, path, opts);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** A reader over bytes already in memory; `label` (e.g. a file name) goes into errors. */
  static fromBytes(buf: Uint8Array, label?: string, opts?: ChunkOptions): SafetensorsReader {
    const source: Source = {
      read(dst, pos) {
        if (pos + dst.length > buf.length) return false;
        dst.set(buf.subarray(pos, pos + dst.length));
        return true;
      },
      close() {},
    };
    return new SafetensorsReader(source, buf.length, label, opts);
  }

  close(): void {
    this.source.close();
  }

  private info(name: string): TensorInfo {
    const e = this.tensors.get(name);
    if (!e) throw new SafetensorsError('BAD_TENSOR', name, 'no such tensor', this.file);
    if (!isDiskDType(e.dtype)) {
      throw new SafetensorsError('BAD_DTYPE', name, `dtype ${e.dtype} not supported (${DiskDType.join(', ')})`, this.file);
    }
    return e;
  }

  /** The tensor's values as a new Float32Array. */
  read(name: string): Float32Array {
    const e = this.info(name);
    const out = new Float32Array(numelOf(e.shape));
    this.readInto(name, out);
    return out;
  }

  /** Reads the tensor's values into `out` (of exactly its element count), checking the stored CRC. */
  readInto(name: string, out: Float32Array): void {
    const e = this.info(name);
    const n = numelOf(e.shape);
    if (out.length !== n) throw new SafetensorsError('BAD_SHAPE', name, `target holds ${out.length} values, the tensor ${n}`, this.file);
    if (e.dtype === 'F32') {
      // Straight into the target, no scratch copy.
      this.stream(e, (raw) => raw, new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
      return;
    }
    const dtype = e.dtype as 'F16' | 'BF16';
    this.stream(e, (raw, start) => {
      const h = new Uint16Array(raw.buffer, raw.byteOffset, raw.length / 2);
      decodeHalf(h, dtype, out.subarray(start, start + h.length));
      return raw;
    });
  }

  /** Calls `fn` with consecutive pieces of the tensor's values (start = index of the first), checking the CRC at the end. */
  forEachChunk(name: string, fn: (values: Float32Array, start: number) => void): void {
    const e = this.info(name);
    const n = numelOf(e.shape);
    const values = new Float32Array(Math.max(1, Math.min(n, this.chunk / BYTES[e.dtype as DiskDType])));
    this.stream(e, (raw, start) => {
      const v = values.subarray(0, raw.length / BYTES[e.dtype as DiskDType]);
      if (e.dtype === 'F32') new Uint8Array(v.buffer, v.byteOffset, v.byteLength).set(raw);
      else decodeHalf(new Uint16Array(raw.buffer, raw.byteOffset, raw.length / 2), e.dtype as 'F16' | 'BF16', v);
      fn(v, start);
      return raw;
    });
  }

  /**
   * Reads the tensor's bytes in chunks (into `target` when given, else into a scratch buffer)
   * and hands each to `fn` with the element index it starts at; then checks the CRC.
   */
  private stream(e: TensorInfo, fn: (raw: Uint8Array, start: number) => Uint8Array, target?: Uint8Array): void {
    const width = DTYPE_BYTES[e.dtype];
    const total = e.end - e.begin;
    const chunk = this.chunk;
    const scratch = target ? null : new Uint8Array(Math.min(total, chunk));
    let crc = 0;
    for (let off = 0; off < total; off += chunk) {
      const len = Math.min(chunk, total - off);
      const raw = target ? target.subarray(off, off + len) : scratch!.subarray(0, len);
      if (!this.source.read(raw, this.dataStart + e.begin + off)) {
        throw new SafetensorsError('TRUNCATED', e.name, `file ended while reading bytes [${e.begin}, ${e.end}) of the data (truncated or changed while reading)`, this.file);
      }
      crc = crc32(fn(raw, off / width), crc);
    }
    const want = this.crcs?.[e.name];
    if (want !== undefined && want !== hex8(crc)) {
      throw new SafetensorsError('CHECKSUM_MISMATCH', e.name, `data CRC32 ${hex8(crc)} does not match the stored ${want} (corrupted bytes)`, this.file);
    }
  }
}

function parseHeader(
  raw: Uint8Array,
  dataLen: number,
  fail: (code: SafetensorsErrorCode, field: string, message: string) => SafetensorsError,
): { tensors: Map<string, TensorInfo>; metadata: Record<string, string>; crcs: Record<string, string> | null } {
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('utf8'));
  } catch (e) {
    throw fail('BAD_HEADER', '(header)', `header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw fail('BAD_HEADER', '(header)', 'header is not a JSON object');
  }
  const metadata: Record<string, string> = {};
  const entries: TensorInfo[] = [];
  for (const [name, rawInfo] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof rawInfo !== 'object' || rawInfo === null || Array.isArray(rawInfo)) {
        throw fail('BAD_HEADER', '__metadata__', 'must be an object of strings');
      }
      for (const [k, v] of Object.entries(rawInfo)) {
        if (typeof v !== 'string') throw fail('BAD_HEADER', `__metadata__.${k}`, 'value must be a string');
        metadata[k] = v;
      }
      continue;
    }
    if (typeof rawInfo !== 'object' || rawInfo === null || Array.isArray(rawInfo)) throw fail('BAD_TENSOR', name, 'entry is not an object');
    const info = rawInfo as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof info.dtype !== 'string' || !Object.hasOwn(DTYPE_BYTES, info.dtype)) {
      throw fail('BAD_DTYPE', name, `dtype ${JSON.stringify(info.dtype)} not supported (${DiskDType.join(', ')})`);
    }
    const dtype = info.dtype;
    if (!Array.isArray(info.shape) || !info.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw fail('BAD_SHAPE', name, `shape ${JSON.stringify(info.shape)} is not a list of non-negative integers`);
    }
    const shape = info.shape as number[];
    const off = info.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0) || off[1] < off[0]) {
      throw fail('BAD_OFFSETS', name, `data_offsets ${JSON.stringify(off)} is not [begin, end] with begin <= end`);
    }
    const [begin, end] = off as [number, number];
    const need = numelOf(shape) * DTYPE_BYTES[dtype];
    if (end - begin !== need) {
      throw fail('BAD_OFFSETS', name, `data_offsets [${begin}, ${end}] hold ${end - begin} bytes, shape [${shape.join(', ')}] ${dtype} needs ${need}`);
    }
    if (end > dataLen) {
      throw fail('TRUNCATED', name, `data_offsets end ${end} is beyond the ${dataLen} data bytes (file truncated?)`);
    }
    entries.push({ name, dtype, shape, begin, end });
  }
  // The format requires the byte buffer to be covered exactly, without holes or overlaps.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of entries) {
    if (e.begin !== cursor) throw fail('BAD_OFFSETS', e.name, `data_offsets begin ${e.begin}, expected ${cursor} (hole or overlap)`);
    cursor = e.end;
  }
  if (cursor !== dataLen) {
    throw fail('BAD_OFFSETS', '(data)', `tensors cover ${cursor} bytes but the file holds ${dataLen} data bytes`);
  }
  let crcs: Record<string, string> | null = null;
  if (metadata[CRC_KEY] !== undefined) {
    try {
      crcs = JSON.parse(metadata[CRC_KEY]) as Record<string, string>;
    } catch {
      throw fail('BAD_HEADER', `__metadata__.${CRC_KEY}`, 'not valid JSON');
    }
    if (typeof crcs !== 'object' || crcs === null) throw fail('BAD_HEADER', `__metadata__.${CRC_KEY}`, 'not a JSON object');
  }
  return { tensors: new Map(entries.map((e) => [e.name, e])), metadata, crcs };
}

export interface ReadResult {
  tensors: Map<string, NamedTensor>;
  /** On-disk dtype per tensor. */
  dtypes: Map<string, DiskDType>;
  metadata: Record<string, string>;
}

/** Parse and validate a whole safetensors buffer; values come back as F32 (every tensor must be F32, F16 or BF16). */
export function readSafetensors(buf: Uint8Array): ReadResult {
  const r = SafetensorsReader.fromBytes(buf);
  const tensors = new Map<string, NamedTensor>();
  const dtypes = new Map<string, DiskDType>();
  for (const e of r.tensors.values()) {
    tensors.set(e.name, { shape: e.shape, data: r.read(e.name) });
    dtypes.set(e.name, e.dtype as DiskDType);
  }
  return { tensors, dtypes, metadata: { ...r.metadata } };
}

// --- dtype conversion --------------------------------------------------------------------

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** fp32 bits -> bf16 bits, round to nearest even; a NaN stays a NaN (quieted, sign and top payload kept). */
export function f32BitsToBf16Bits(b: number): number {
  b >>>= 0;
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) return ((b >>> 16) | 0x40) & 0xffff;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

/** fp32 -> bf16 bits, round to nearest even; NaN stays a (quiet) NaN. */
export function f32ToBf16Bits(x: number): number {
  f32[0] = x;
  return f32BitsToBf16Bits(u32[0]);
}

export function bf16BitsToF32(h: number): number {
  u32[0] = h << 16;
  return f32[0];
}

/** fp32 bits -> IEEE fp16 bits, round to nearest even, with subnormals, overflow to +-inf; NaN stays a (quiet) NaN. */
export function f32BitsToF16Bits(b: number): number {
  b >>>= 0;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 | (mant >>> 13) : 0);
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

/** fp32 -> IEEE fp16 bits, round to nearest even, with subnormals, overflow to +-inf. */
export function f32ToF16Bits(x: number): number {
  f32[0] = x;
  return f32BitsToF16Bits(u32[0]);
}

/**
 * fp16 bits -> the fp32 bits of the same value (exact: every fp16 value is an fp32 value). A
 * NaN keeps its sign and payload and is quieted, as F16C hardware and torch do.
 */
export function f16BitsToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  let mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant !== 0 ? 0x400000 : 0) | (mant << 13)) >>> 0;
  if (exp !== 0) return (sign | ((exp + 127 - 15) << 23) | (mant << 13)) >>> 0;
  if (mant === 0) return sign >>> 0;
  // Subnormal: normalise, the leading one becomes implicit.
  let e = 127 - 15 + 1;
  while ((mant & 0x400) === 0) {
    mant <<= 1;
    e--;
  }
  return (sign | (e << 23) | ((mant & 0x3ff) << 13)) >>> 0;
}

export function f16BitsToF32(h: number): number {
  u32[0] = f16BitsToF32Bits(h);
  return f32[0];
}

/** Encodes fp32 values (by their bits, so NaNs keep their sign) as F16 or BF16. */
function encodeHalf(src: Float32Array, dtype: 'F16' | 'BF16', dst: Uint16Array): void {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  if (dtype === 'BF16') for (let i = 0; i < bits.length; i++) dst[i] = f32BitsToBf16Bits(bits[i]);
  else for (let i = 0; i < bits.length; i++) dst[i] = f32BitsToF16Bits(bits[i]);
}

/** Decodes F16 or BF16 into fp32 by writing bit patterns (exact). */
function decodeHalf(src: Uint16Array, dtype: 'F16' | 'BF16', dst: Float32Array): void {
  const bits = new Uint32Array(dst.buffer, dst.byteOffset, dst.length);
  if (dtype === 'BF16') {
    // bf16 is the top half of an fp32: shift the bits into place.
    for (let i = 0; i < src.length; i++) bits[i] = src[i] << 16;
  } else {
    const table = f16Table();
    for (let i = 0; i < src.length; i++) bits[i] = table[src[i]];
  }
}

function toDisk(data: Float32Array, dtype: DiskDType): Uint8Array {
  if (dtype === 'F32') return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const out = new Uint16Array(data.length);
  encodeHalf(data, dtype, out);
  return new Uint8Array(out.buffer);
}

let f16Bits: Uint32Array | null = null;
/** Every fp16 bit pattern's fp32 bits (256 KB, built on first use): decoding is one lookup. */
function f16Table(): Uint32Array {
  if (!f16Bits) {
    f16Bits = new Uint32Array(65536);
    for (let h = 0; h < 65536; h++) f16Bits[h] = f16BitsToF32Bits(h);
  }
  return f16Bits;
}
