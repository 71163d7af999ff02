// Minimal protobuf wire-format writer (varint, 32-bit, length-delimited) used to encode ONNX
// models by field number. It is write-only and schema-less on purpose: the ONNX messages we
// need are spelled out in onnx.ts; there is no reader, no reflection and no proto3 defaults.

const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

const utf8 = new TextEncoder();

export class PbWriter {
  private chunks: Uint8Array[] = [];
  private buf = new Uint8Array(256);
  private pos = 0;
  private total = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = new Uint8Array(Math.max(n, this.buf.length * 2));
  }

  private flush(): void {
    if (this.pos === 0) return;
    this.chunks.push(this.buf.slice(0, this.pos));
    this.pos = 0;
  }

  private byte(b: number): void {
    this.buf[this.pos++] = b;
    this.total++;
  }

  /** Unsigned varint of a non-negative safe integer or any int64 as bigint (two's complement). */
  varint(v: number | bigint): void {
    this.ensure(10);
    if (typeof v === 'number' && v >= 0 && v <= 0xffffffff) {
      let x = v >>> 0;
      while (x > 0x7f) {
        this.byte((x & 0x7f) | 0x80);
        x >>>= 7;
      }
      this.byte(x);
      return;
    }
    let x = BigInt.asUintN(64, BigInt(v));
    while (x > 0x7fn) {
      this.byte(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.byte(Number(x));
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  /** Raw bytes appended without a tag (large payloads are kept as their own chunk). */
  private raw(bytes: Uint8Array): void {
    if (bytes.length > 4096) {
      this.flush();
      this.chunks.push(bytes);
      this.total += bytes.length;
      return;
    }
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    this.total += bytes.length;
  }

  int64(field: number, v: number | bigint): void {
    this.tag(field, WIRE.varint);
    this.varint(v);
  }

  float32(field: number, v: number): void {
    this.tag(field, WIRE.fixed32);
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).setFloat32(0, v, true);
    this.pos += 4;
    this.total += 4;
  }

  bytes(field: number, bytes: Uint8Array): void {
    this.tag(field, WIRE.bytes);
    this.varint(bytes.length);
    this.raw(bytes);
  }

  string(field: number, s: string): void {
    this.bytes(field, utf8.encode(s));
  }

  /** Packed repeated int64 (proto3 default encoding for repeated scalars). */
  packedInt64(field: number, values: readonly (number | bigint)[]): void {
    const inner = new PbWriter();
    for (const v of values) inner.varint(v);
    this.bytes(field, inner.finish());
  }

  packedFloat32(field: number, values: readonly number[]): void {
    const data = new Float32Array(values);
    this.bytes(field, new Uint8Array(data.buffer));
  }

  /** Embedded message: encoded separately, then written length-delimited. */
  message(field: number, encode: (w: PbWriter) => void): void {
    const inner = new PbWriter();
    encode(inner);
    this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    this.flush();
    if (this.chunks.length === 1) return this.chunks[0];
    const out = new Uint8Array(this.total);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
}
