// Protobuf wire bytes, builder shape checks, and graphs (incl. Loop and If subgraphs and
// negative int attributes) loaded and run by onnxruntime-node with exact expected outputs.
import { describe, expect, it } from 'vitest';
import { Graph, GraphError, attr } from './graph.ts';
import { PbWriter } from './protobuf.ts';
import { createSession, int64Tensor, tensor } from './session.ts';

describe('protobuf writer', () => {
  it('encodes varints, negative int64, floats and nested messages by the wire format', () => {
    const w = new PbWriter();
    w.int64(1, 300);
    w.int64(2, -1);
    w.float32(3, 1.5);
    w.message(4, (m) => m.string(1, 'hi'));
    expect(Array.from(w.finish())).toEqual([
      0x08, 0xac, 0x02, // field 1 varint 300
      0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, // field 2 varint -1 (10 bytes)
      0x1d, 0x00, 0x00, 0xc0, 0x3f, // field 3 fixed32 1.5
      0x22, 0x04, 0x0a, 0x02, 0x68, 0x69, // field 4 { field 1 "hi" }
    ]);
  });
  it('keeps large payloads intact across chunk boundaries', () => {
    const big = Uint8Array.from({ length: 10000 }, (_, i) => i & 0xff);
    const w = new PbWriter();
    w.bytes(9, big);
    const out = w.finish();
    expect(Array.from(out.slice(0, 3))).toEqual([0x4a, 0x90, 0x4e]); // tag 9/bytes, length 10000
    expect(out.length).toBe(3 + 10000);
    expect(out.slice(3)).toEqual(big);
  });
});

describe('graph builder shape checks', () => {
  it('names both operands on a matmul mismatch', () => {
    const g = new Graph();
    const a = g.input('a', 'float32', [2, 3]);
    const b = g.input('b', 'float32', [4, 5]);
    expect(() => g.matmul(a, b)).toThrow(/Gemm\(a:float32\[2,3\], b:float32\[4,5\]\): inner dims 3 != 4/);
  });
  it('rejects bad broadcasts, reshapes, dtypes, duplicate names and foreign values', () => {
    const g = new Graph();
    const a = g.input('a', 'float32', [2, 3]);
    const i = g.input('i', 'int64', [2, 3]);
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as GraphError).code;
      }
      return 'no error';
    };
    expect(code(() => g.add(a, g.input('c', 'float32', [4])))).toBe('SHAPE_MISMATCH');
    expect(code(() => g.reshape(a, [4, -1]))).toBe('SHAPE_MISMATCH');
    expect(code(() => g.add(a, i))).toBe('DTYPE_MISMATCH');
    expect(code(() => g.input('a', 'float32', [1]))).toBe('DUPLICATE_NAME');
    const other = new Graph('other');
    expect(code(() => other.neg(a))).toBe('FOREIGN_VALUE');
    expect(code(() => g.transpose(a, [0, 0]))).toBe('BAD_ARGUMENT');
  });
  it('infers shapes and folds transpose pairs', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2, 3, 4]);
    expect(g.reshape(x, [0, -1]).shape).toEqual([2, 12]);
    expect(g.gather(g.input('w', 'float32', [10, 5]), g.input('ids', 'int64', [2, 7])).shape).toEqual([2, 7, 5]);
    expect(g.matmul(g.input('x1', 'float32', [1, 3, 4]), g.input('m', 'float32', [5, 4, 6])).shape).toEqual([5, 3, 6]);
    const t = g.transpose(x, [2, 0, 1]);
    expect(g.transpose(t, [1, 2, 0])).toBe(x);
  });
});

describe('graphs run in onnxruntime-node', () => {
  it('computes ops with initializers, int64 inputs and negative attributes', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2, 3]);
    const ids = g.input('ids', 'int64', [2]);
    const w = g.initializer('w', new Float32Array([1, 2, 3, 4, 5, 6]), [3, 2]);
    g.output(g.matmul(x, w), 'y');
    g.output(g.gather(x, ids, 0), 'rows');
    const sm = g.node('Softmax', [x], { axis: attr.int(-1) }, [{ dtype: 'float32', shape: [2, 3] }])[0];
    g.output(g.reduceSum(sm, [-1]), 'ones');
    g.output(g.slice(x, [1], [-2], [100]), 'tail');
    const s = await createSession(g);
    const out = await s.run({ x: tensor(new Float32Array([1, 0, 2, 0, 1, -1]), [2, 3]), ids: int64Tensor([1, 1], [2]) });
    expect(Array.from(out.y.data as Float32Array)).toEqual([11, 14, -2, -2]);
    expect(Array.from(out.rows.data as Float32Array)).toEqual([0, 1, -1, 0, 1, -1]);
    expect(Array.from(out.ones.data as Float32Array).map((v) => Math.round(v * 1e5) / 1e5)).toEqual([1, 1]);
    expect(out.tail.dims).toEqual([2, 2]);
    expect(Array.from(out.tail.data as Float32Array)).toEqual([0, 2, 1, -1]);
  });

  it('runs a Loop with carried state and scan outputs, and an If on its result', async () => {
    const g = new Graph();
    const step = g.input('step', 'float32', []);
    const r = g.loop({
      maxTrips: g.scalar(5, 'int64'),
      cond: g.scalar(1, 'bool'),
      carried: [g.scalar(0)],
      scanLength: 5,
      body: (b, iter, [acc]) => {
        const next = b.add(acc, b.mul(b.cast(iter, 'float32'), step)); // reads the outer `step`
        return { cond: b.less(next, b.scalar(100)), carried: [next], scans: [next] };
      },
    });
    g.output(r.carried[0], 'total');
    g.output(r.scans[0], 'partials');
    const [sign] = g.ifElse(g.greater(r.carried[0], 5), (b) => [b.scalar(1)], (b) => [b.scalar(-1)]);
    g.output(sign, 'sign');
    const s = await createSession(g);
    const out = await s.run({ step: tensor(new Float32Array([2]), []) });
    expect(Array.from(out.partials.data as Float32Array)).toEqual([0, 2, 6, 12, 20]);
    expect((out.total.data as Float32Array)[0]).toBe(20);
    expect((out.sign.data as Float32Array)[0]).toBe(1);
  });

  it('rejects a Loop body that changes a carried shape', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2]);
    expect(() =>
      g.loop({ maxTrips: g.scalar(2, 'int64'), cond: null, carried: [x], body: (b, _i, [c]) => ({ cond: b.scalar(1, 'bool'), carried: [b.concat([c, c], 0)] }) }),
    ).toThrow(/carried 0 changes/);
  });
});
