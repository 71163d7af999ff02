import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import {
  SafetensorsError,
  bf16BitsToF32,
  f16BitsToF32,
  f32ToBf16Bits,
  f32ToF16Bits,
  readSafetensors,
  writeSafetensors,
  type NamedTensor,
} from './safetensors.ts';

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
