import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import {
  SafetensorsError,
  SafetensorsReader,
  bf16BitsToF32,
  f16BitsToF32,
  f16BitsToF32Bits,
  f32BitsToBf16Bits,
  f32BitsToF16Bits,
  f32ToBf16Bits,
  f32ToF16Bits,
  readSafetensors,
  writeSafetensors,
  writeSafetensorsFile,
  type NamedTensor,
} from './safetensors.ts';

const root = mkdtempSync(join(tmpdir(), 'ace-st-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A safetensors file assembled byte by byte from the format description (no writer of ours involved). */
function assemble(entries: { name: string; dtype: string; shape: number[]; bytes: Uint8Array }[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  let off = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [off, off + e.bytes.length] };
    off += e.bytes.length;
  }
  if (metadata) header.__metadata__ = metadata;
  const h = Buffer.from(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  let p = 8 + h.length;
  for (const e of entries) {
    out.set(e.bytes, p);
    p += e.bytes.length;
  }
  return out;
}

const u16 = (xs: number[]) => new Uint8Array(Uint16Array.from(xs).buffer);
const u32 = (xs: number[]) => new Uint8Array(Uint32Array.from(xs).buffer);
const bitsOf = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const hex = (xs: number[], w: number) => xs.map((x) => `0x${(x >>> 0).toString(16).padStart(w, '0')}`);

// Hand-computed: fp16 bit pattern -> the fp32 bit pattern of the same value.
const F16_TO_F32: [number, number, string][] = [
  [0x0000, 0x00000000, '+0'],
  [0x8000, 0x80000000, '-0'],
  [0x0001, 0x33800000, 'smallest subnormal 2^-24'],
  [0x8001, 0xb3800000, '-2^-24'],
  [0x0200, 0x38000000, 'subnormal 2^-15'],
  [0x03ff, 0x387fc000, 'largest subnormal 1023 * 2^-24'],
  [0x0400, 0x38800000, 'smallest normal 2^-14'],
  [0x3c00, 0x3f800000, '1'],
  [0x3555, 0x3eaaa000, '0.333251953125'],
  [0xc000, 0xc0000000, '-2'],
  [0x7bff, 0x477fe000, '65504 (max)'],
  [0x7c00, 0x7f800000, '+inf'],
  [0xfc00, 0xff800000, '-inf'],
  [0x7e00, 0x7fc00000, 'quiet NaN'],
  [0x7c01, 0x7fc02000, 'signalling NaN: quieted, payload kept (as F16C and torch)'],
  [0xfe01, 0xffc02000, 'negative NaN with payload'],
];
// bf16 is the top half of an fp32.
const BF16_TO_F32: [number, number, string][] = [
  [0x0000, 0x00000000, '+0'],
  [0x8000, 0x80000000, '-0'],
  [0x0001, 0x00010000, 'smallest subnormal 2^-133'],
  [0x807f, 0x807f0000, 'largest negative subnormal'],
  [0x0080, 0x00800000, 'smallest normal 2^-126'],
  [0x3f80, 0x3f800000, '1'],
  [0x3eab, 0x3eab0000, '0.333984375'],
  [0x7f7f, 0x7f7f0000, 'max 3.3895e38'],
  [0x7f80, 0x7f800000, '+inf'],
  [0xff80, 0xff800000, '-inf'],
  [0x7fc0, 0x7fc00000, 'quiet NaN'],
  [0x7f81, 0x7f810000, 'signalling NaN, payload kept'],
];
// Hand-computed: fp32 bits -> fp16 bits, round to nearest even.
const F32_TO_F16: [number, number, string][] = [
  [0x00000000, 0x0000, '+0'],
  [0x80000000, 0x8000, '-0'],
  [0x00000001, 0x0000, 'fp32 subnormal underflows to +0'],
  [0x80000001, 0x8000, '... and to -0'],
  [0x33000000, 0x0000, '2^-25: tie between 0 and 2^-24, to even'],
  [0x33000001, 0x0001, 'just above 2^-25 rounds up'],
  [0x33800000, 0x0001, '2^-24'],
  [0x33c00000, 0x0002, '1.5 * 2^-24: tie, to even (2)'],
  [0x387fc000, 0x03ff, 'largest subnormal'],
  [0x38800000, 0x0400, 'smallest normal'],
  [0x3eaaaaab, 0x3555, '1/3'],
  [0x3f801000, 0x3c00, '1 + 2^-11: tie, to even'],
  [0x3f803000, 0x3c02, '1 + 3 * 2^-11: tie, to even (up)'],
  [0x477fe000, 0x7bff, '65504'],
  [0x477ff000, 0x7c00, '65520 rounds to +inf'],
  [0x7f7fffff, 0x7c00, 'fp32 max overflows'],
  [0x7f800000, 0x7c00, '+inf'],
  [0xff800000, 0xfc00, '-inf'],
  [0x7fc00000, 0x7e00, 'quiet NaN'],
  [0xffc00000, 0xfe00, 'negative NaN'],
  [0x7f800001, 0x7e00, 'signalling NaN is quieted'],
];
// Hand-computed: fp32 bits -> bf16 bits, round to nearest even.
const F32_TO_BF16: [number, number, string][] = [
  [0x00000000, 0x0000, '+0'],
  [0x80000000, 0x8000, '-0'],
  [0x00000001, 0x0000, 'tiny subnormal rounds to 0'],
  [0x00008000, 0x0000, 'tie, to even (0)'],
  [0x00018000, 0x0002, 'tie, to even (up)'],
  [0x00010000, 0x0001, 'bf16 subnormal'],
  [0x3eaaaaab, 0x3eab, '1/3'],
  [0x3f808000, 0x3f80, '1 + 2^-8: tie, to even'],
  [0x3f818000, 0x3f82, '1 + 3 * 2^-8: tie, to even (up)'],
  [0x7f7fffff, 0x7f80, 'fp32 max rounds to +inf'],
  [0x7f800000, 0x7f80, '+inf'],
  [0xff800000, 0xff80, '-inf'],
  [0x7f800001, 0x7fc0, 'signalling NaN is quieted'],
  [0x7fa00000, 0x7fe0, 'NaN payload top bits kept'],
  [0xffc00000, 0xffc0, 'negative NaN'],
];

function sample(): Map<string, NamedTensor> {
  const rng = new Rng(11);
  const m = new Map<string, NamedTensor>();
  const a = new Float32Array(6).map(() => rng.normal());
  m.set('model.embed_tokens.weight', { shape: [2, 3], data: a });
  m.set('model.norm.weight', { shape: [3], data: Float32Array.from([1, -2.5, 0.1]) });
  m.set('scalar', { shape: [], data: Float32Array.from([7]) });
  return m;
}

function err(fn: () => unknown): SafetensorsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SafetensorsError) return e;
    throw e;
  }
  throw new Error('expected SafetensorsError');
}

/** A file built by hand from the format description, as another tool would write it. */
function handMade(): Uint8Array {
  const header = JSON.stringify({
    b: { dtype: 'BF16', shape: [2], data_offsets: [8, 12] },
    a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
    __metadata__: { who: 'hand' },
  });
  const h = Buffer.from(header);
  const out = new Uint8Array(8 + h.length + 12);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  dv.setFloat32(8 + h.length, 1.5, true);
  dv.setFloat32(8 + h.length + 4, -3, true);
  dv.setUint16(8 + h.length + 8, 0x3f80, true); // bf16 1.0
  dv.setUint16(8 + h.length + 10, 0xc000, true); // bf16 -2.0
  return out;
}

describe('safetensors', () => {
  it('F32 write -> read is bit-exact and the layout is the standard one', () => {
    const t = sample();
    const buf = writeSafetensors(t, { metadata: { step: '3' } });
    const n = Number(new DataView(buf.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(Buffer.from(buf.subarray(8, 8 + n)).toString());
    expect(header['model.norm.weight']).toEqual({ dtype: 'F32', shape: [3], data_offsets: [24, 36] });
    expect(header.__metadata__.step).toBe('3');
    expect(header.__metadata__.format).toBe('pt');
    // Raw little-endian fp32 at the stated offset.
    expect(new DataView(buf.buffer).getFloat32(8 + n + 24 + 4, true)).toBe(-2.5);
    const r = readSafetensors(buf);
    expect([...r.tensors.keys()]).toEqual([...t.keys()]);
    for (const [k, v] of t) {
      expect(r.tensors.get(k)!.shape).toEqual(v.shape);
      expect(Buffer.from(r.tensors.get(k)!.data.buffer)).toEqual(Buffer.from(v.data.buffer));
    }
    expect(r.metadata.step).toBe('3');
    // Regression: a Node Buffer view at an odd offset into a larger pool (readFileSync of a small file).
    const pooled = Buffer.alloc(buf.length + 3);
    pooled.set(buf, 3);
    const r2 = readSafetensors(pooled.subarray(3));
    expect(Array.from(r2.tensors.get('model.norm.weight')!.data)).toEqual(Array.from(t.get('model.norm.weight')!.data));
  });

  it('reads a hand-made file from another writer', () => {
    const r = readSafetensors(handMade());
    expect(Array.from(r.tensors.get('a')!.data)).toEqual([1.5, -3]);
    expect(Array.from(r.tensors.get('b')!.data)).toEqual([1, -2]);
    expect(r.dtypes.get('b')).toBe('BF16');
    expect(r.metadata).toEqual({ who: 'hand' });
  });

  it('BF16 and F16 on disk round-trip within half an ulp', () => {
    const t = sample();
    for (const [dtype, rel] of [
      ['BF16', 2 ** -8],
      ['F16', 2 ** -11],
    ] as const) {
      const r = readSafetensors(writeSafetensors(t, { dtype }));
      const a = t.get('model.embed_tokens.weight')!.data;
      const b = r.tensors.get('model.embed_tokens.weight')!.data;
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(Math.abs(a[i]) * rel);
      expect(r.dtypes.get('scalar')).toBe(dtype);
      // 2 bytes per value on disk.
      expect(writeSafetensors(t, { dtype, checksums: false }).length).toBeLessThan(
        writeSafetensors(t, { checksums: false }).length,
      );
    }
  });

  it('half-precision conversions are exact inverses on every finite 16-bit pattern', () => {
    const bad: number[] = [];
    for (let h = 0; h < 65536; h++) {
      const x16 = f16BitsToF32(h);
      if (!Number.isNaN(x16) && f32ToF16Bits(x16) !== h) bad.push(h);
      const xb = bf16BitsToF32(h);
      if (!Number.isNaN(xb) && f32ToBf16Bits(xb) !== h) bad.push(h);
    }
    expect(bad).toEqual([]);
    expect(f32ToF16Bits(1)).toBe(0x3c00);
    expect(f32ToF16Bits(65504)).toBe(0x7bff);
    expect(f32ToF16Bits(65520)).toBe(0x7c00); // rounds up to +inf
    expect(f32ToF16Bits(2 ** -24)).toBe(1);
    expect(f32ToF16Bits(2 ** -25)).toBe(0); // tie to even
    expect(f32ToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie to even
    expect(f32ToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie to even (up)
    expect(f32ToBf16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie to even
    expect(f32ToBf16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(Number.isNaN(bf16BitsToF32(f32ToBf16Bits(NaN)))).toBe(true);
    expect(Number.isNaN(f16BitsToF32(f32ToF16Bits(NaN)))).toBe(true);
  });

  it('decodes F16 and BF16 files to the hand-computed fp32 bit patterns (subnormals, inf, NaN, -0)', () => {
    const file = assemble([
      { name: 'h', dtype: 'F16', shape: [F16_TO_F32.length], bytes: u16(F16_TO_F32.map((r) => r[0])) },
      { name: 'b', dtype: 'BF16', shape: [BF16_TO_F32.length], bytes: u16(BF16_TO_F32.map((r) => r[0])) },
      { name: 'f', dtype: 'F32', shape: [2], bytes: u32([0x80000000, 0x7f800001]) },
    ]);
    const path = join(root, 'patterns.safetensors');
    writeFileSync(path, file);
    const want = { h: hex(F16_TO_F32.map((r) => r[1]), 8), b: hex(BF16_TO_F32.map((r) => r[1]), 8), f: ['0x80000000', '0x7f800001'] };
    // From the file by offset, in chunks of 8 bytes (several per tensor), and from a buffer.
    const r = SafetensorsReader.open(path, { chunkBytes: 8 });
    for (const name of ['h', 'b', 'f'] as const) expect(hex(bitsOf(r.read(name)), 8), name).toEqual(want[name]);
    r.close();
    const whole = readSafetensors(readFileSync(path));
    for (const name of ['h', 'b', 'f'] as const) expect(hex(bitsOf(whole.tensors.get(name)!.data), 8), name).toEqual(want[name]);
    expect(F16_TO_F32.map(([h]) => hex([f16BitsToF32Bits(h)], 8)[0])).toEqual(want.h);
    expect(Object.is(f16BitsToF32(0x8000), -0)).toBe(true);
    expect(f16BitsToF32(0x0001)).toBe(2 ** -24);
    expect(bf16BitsToF32(0x0001)).toBe(2 ** -133);
  });

  it('encodes F16 and BF16 to the hand-computed bit patterns (round to nearest even)', () => {
    for (const [dtype, table, conv] of [
      ['F16', F32_TO_F16, f32BitsToF16Bits],
      ['BF16', F32_TO_BF16, f32BitsToBf16Bits],
    ] as const) {
      expect(table.map(([b]) => conv(b)).map((x, i) => `${hex([x], 4)[0]} ${table[i][2]}`)).toEqual(table.map(([, h, why]) => `${hex([h], 4)[0]} ${why}`));
      // The same through the writers: the buffer writer and the streaming one, the data read raw.
      const data = new Float32Array(Uint32Array.from(table.map((r) => r[0])).buffer);
      const t = new Map([['x', { shape: [data.length], data }]]);
      const mem = writeSafetensors(t, { dtype });
      const path = join(root, `enc-${dtype}.safetensors`);
      const fd = openSync(path, 'w');
      const n = writeSafetensorsFile(fd, t, { dtype, chunkBytes: 8 });
      closeSync(fd);
      const disk = readFileSync(path);
      expect(n).toBe(disk.length);
      expect(Buffer.from(disk).equals(Buffer.from(mem))).toBe(true);
      const raw = disk.subarray(disk.length - 2 * data.length);
      expect(hex(Array.from(new Uint16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length))), 4)).toEqual(hex(table.map((r) => r[1]), 4));
    }
  });

  it('the streaming writer matches the buffer writer byte for byte and chunked reads match whole ones', () => {
    const rng = new Rng(3);
    const t = new Map<string, NamedTensor>([
      ['a', { shape: [37, 3], data: Float32Array.from({ length: 111 }, () => rng.normal()) }],
      ['empty', { shape: [0, 4], data: new Float32Array(0) }],
      ['b', { shape: [5], data: Float32Array.from({ length: 5 }, () => rng.normal()) }],
    ]);
    for (const dtype of ['F32', 'F16', 'BF16'] as const) {
      const path = join(root, `stream-${dtype}.safetensors`);
      const fd = openSync(path, 'w');
      writeSafetensorsFile(fd, t, { dtype, metadata: { k: 'v' }, chunkBytes: 16 });
      closeSync(fd);
      const mem = writeSafetensors(t, { dtype, metadata: { k: 'v' } });
      expect(Buffer.from(readFileSync(path)).equals(Buffer.from(mem)), dtype).toBe(true);
      const whole = readSafetensors(mem);
      const r = SafetensorsReader.open(path, { chunkBytes: 24 });
      expect(r.metadata.k).toBe('v');
      for (const name of t.keys()) {
        expect(bitsOf(r.read(name)), `${dtype} ${name}`).toEqual(bitsOf(whole.tensors.get(name)!.data));
        const pieces: number[] = [];
        r.forEachChunk(name, (v, start) => {
          expect(start).toBe(pieces.length);
          pieces.push(...v);
        });
        expect(pieces).toEqual(Array.from(whole.tensors.get(name)!.data));
      }
      r.close();
    }
  });

  it('a reader names its file; integer dtypes parse but do not convert', () => {
    const path = join(root, 'ints.safetensors');
    writeFileSync(path, assemble([
      { name: 'ids', dtype: 'I64', shape: [2], bytes: new Uint8Array(16) },
      { name: 'w', dtype: 'F32', shape: [1], bytes: u32([0x3f800000]) },
    ]));
    const r = SafetensorsReader.open(path);
    expect(r.tensors.get('ids')!.dtype).toBe('I64');
    expect(Array.from(r.read('w'))).toEqual([1]);
    const e = err(() => r.read('ids'));
    expect([e.code, e.field, e.file]).toEqual(['BAD_DTYPE', 'ids', path]);
    expect(e.message).toBe(`safetensors ${path}: ids: dtype I64 not supported (F32, F16, BF16)\nHINT: only F32, F16, BF16 tensors can be read as weights; convert ${path} (e.g. save it in bfloat16)`);
    r.close();
    // A file cut short: named with its tensor and a HINT.
    const cut = join(root, 'cut.safetensors');
    writeFileSync(cut, readFileSync(path).subarray(0, -2));
    const e2 = err(() => SafetensorsReader.open(cut));
    expect(e2.message).toBe(`safetensors ${cut}: w: data_offsets end 20 is beyond the 18 data bytes (file truncated?)\nHINT: ${cut} is damaged or was not completely written, copied or downloaded; fetch or save it again`);
  });

  it('corruption names the tensor or field', () => {
    const good = writeSafetensors(sample());
    const n = Number(new DataView(good.buffer).getBigUint64(0, true));
    // Truncated data: the last tensor runs past the end.
    const e1 = err(() => readSafetensors(good.subarray(0, good.length - 2)));
    expect(e1.code).toBe('TRUNCATED');
    expect(e1.field).toBe('scalar');
    // A flipped data byte: the CRC names the tensor.
    const flipped = good.slice();
    flipped[8 + n + 25] ^= 0x10;
    const e2 = err(() => readSafetensors(flipped));
    expect(e2.code).toBe('CHECKSUM_MISMATCH');
    expect(e2.field).toBe('model.norm.weight');
    // Header length larger than the file.
    const bad = good.slice();
    new DataView(bad.buffer).setBigUint64(0, 10n ** 12n, true);
    expect(err(() => readSafetensors(bad)).field).toBe('(header)');
    expect(err(() => readSafetensors(new Uint8Array(3))).code).toBe('TRUNCATED');
    // Header edits: wrong dtype, shape that disagrees with offsets, broken JSON.
    const edit = (f: (s: string) => string) => {
      const s = f(Buffer.from(good.subarray(8, 8 + n)).toString());
      const h = Buffer.from(s.padEnd(n, ' ').slice(0, n));
      const out = good.slice();
      out.set(h, 8);
      return out;
    };
    const e3 = err(() => readSafetensors(edit((s) => s.replace('"dtype":"F32","shape":[3]', '"dtype":"I7","shape":[3]'))));
    expect([e3.code, e3.field]).toEqual(['BAD_DTYPE', 'model.norm.weight']);
    const e4 = err(() => readSafetensors(edit((s) => s.replace('"shape":[3]', '"shape":[4]'))));
    expect([e4.code, e4.field]).toEqual(['BAD_OFFSETS', 'model.norm.weight']);
    const e5 = err(() => readSafetensors(edit((s) => s.replace('{', '['))));
    expect(e5.code).toBe('BAD_HEADER');
    const e6 = err(() => readSafetensors(edit((s) => s.replace('"data_offsets":[24,36]', '"data_offsets":[28,40]'))));
    expect([e6.code, e6.field]).toEqual(['BAD_OFFSETS', 'model.norm.weight']);
  });

  it('refuses to write a tensor whose data does not match its shape', () => {
    const m = new Map([['w', { shape: [2, 2], data: new Float32Array(3) }]]);
    const e = err(() => writeSafetensors(m));
    expect([e.code, e.field]).toEqual(['BAD_SHAPE', 'w']);
  });
});
