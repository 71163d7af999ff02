// Every rule in GRAD_RULES against central finite differences (gradcheck.ts), plus the
// composite Llama layers (RMSNorm, RoPE, SwiGLU, attention) and the autodiff error paths.
import { describe, expect, it } from 'vitest';
import { causalBiasData, rmsnorm, rmsnormPrimitive, rope, ropeFused, ropeHalfTables, ropeTables, swiglu, attention, repeatKv } from '../model/layers.ts';
import { AutodiffError, GRAD_RULES, gradients } from './autodiff.ts';
import { type GradInput, gradCheck } from './gradcheck.ts';
import { Graph, type Value } from './graph.ts';

interface Case {
  name: string;
  build: (g: Graph, xs: Value[]) => Value;
  inputs: GradInput[];
  opts?: { eps?: number; atol?: number; rtol?: number };
}

const f = (...shape: number[]): GradInput => ({ shape });
const pos = (...shape: number[]): GradInput => ({ shape, positive: true });
const ids = (shape: number[], values: number[]): GradInput => ({ shape, dtype: 'int64', data: new BigInt64Array(values.map(BigInt)) });

const CASES: Case[] = [
  { name: 'Add broadcast', build: (g, [a, b]) => g.add(a, b), inputs: [f(2, 3, 4), f(3, 1)] },
  { name: 'Sub broadcast', build: (g, [a, b]) => g.sub(a, b), inputs: [f(4), f(2, 3, 4)] },
  { name: 'Mul broadcast', build: (g, [a, b]) => g.mul(a, b), inputs: [f(2, 1, 4), f(3, 1)] },
  { name: 'Div broadcast', build: (g, [a, b]) => g.div(a, b), inputs: [f(2, 3), pos(3)] },
  { name: 'Pow const', build: (g, [a]) => g.pow(a, 3), inputs: [f(5)] },
  { name: 'Neg', build: (g, [a]) => g.neg(a), inputs: [f(3, 2)] },
  { name: 'Identity', build: (g, [a]) => g.identity(a), inputs: [f(3)] },
  { name: 'Exp', build: (g, [a]) => g.exp(a), inputs: [f(2, 3)] },
  { name: 'Log', build: (g, [a]) => g.log(a), inputs: [pos(2, 3)] },
  { name: 'Sqrt', build: (g, [a]) => g.sqrt(a), inputs: [pos(2, 3)] },
  { name: 'Reciprocal', build: (g, [a]) => g.reciprocal(a), inputs: [pos(2, 3)] },
  { name: 'Sigmoid', build: (g, [a]) => g.sigmoid(a), inputs: [f(2, 3)] },
  { name: 'Tanh', build: (g, [a]) => g.tanh(a), inputs: [f(2, 3)] },
  {
    name: 'Relu (away from the kink)',
    build: (g, [a]) => g.relu(a),
    inputs: [{ shape: [6], data: new Float32Array([-1.5, -0.7, 0.4, 1.1, -2, 0.9]) }],
  },
  { name: 'Cast float->float', build: (g, [a]) => g.cast(a, 'float32'), inputs: [f(3)] },
  { name: 'Gemm NN (2-D matmul)', build: (g, [a, b]) => g.matmul(a, b), inputs: [f(3, 4), f(4, 5)] },
  { name: 'Gemm NT', build: (g, [a, b]) => g.gemm(a, b, { transB: true }), inputs: [f(3, 4), f(5, 4)] },
  { name: 'Gemm TN', build: (g, [a, b]) => g.gemm(a, b, { transA: true }), inputs: [f(4, 3), f(4, 5)] },
  { name: 'Gemm TT with bias', build: (g, [a, b, c]) => g.gemm(a, b, { transA: true, transB: true }, c), inputs: [f(4, 3), f(5, 4), f(5)] },
  { name: 'MatMul batched 4D', build: (g, [a, b]) => g.matmul(a, b), inputs: [f(2, 2, 3, 4), f(2, 2, 4, 3)] },
  { name: 'MatMul 3D x shared 2D weight', build: (g, [a, b]) => g.matmul(a, g.t(b)), inputs: [f(2, 3, 4), f(5, 4)] },
  { name: 'MatMul broadcast batch', build: (g, [a, b]) => g.matmul(a, b), inputs: [f(1, 3, 4), f(2, 4, 2)] },
  { name: 'Reshape', build: (g, [a]) => g.reshape(a, [3, -1]), inputs: [f(2, 3, 2)] },
  { name: 'Unsqueeze', build: (g, [a]) => g.mul(g.unsqueeze(a, [1]), g.constant(new Float32Array([1, 2]), [2, 1])), inputs: [f(2, 3)] },
  { name: 'Squeeze', build: (g, [a]) => g.squeeze(a, [1]), inputs: [f(2, 1, 3)] },
  { name: 'Transpose', build: (g, [a]) => g.transpose(a, [2, 0, 1]), inputs: [f(2, 3, 4)] },
  { name: 'Expand', build: (g, [a]) => g.expand(a, [2, 3, 4]), inputs: [f(3, 1)] },
  { name: 'Concat', build: (g, [a, b]) => g.concat([a, b, a], 1), inputs: [f(2, 2), f(2, 3)] },
  { name: 'Split with an unused part', build: (g, [a]) => g.split(a, 1, [1, 2, 2])[1], inputs: [f(2, 5)] },
  { name: 'Slice', build: (g, [a]) => g.slice(a, [1], [1], [3]), inputs: [f(2, 4)] },
  {
    name: 'Gather embedding with repeated ids',
    build: (g, [w, i]) => g.gather(w, i, 0),
    inputs: [f(5, 3), ids([2, 3], [1, 4, 1, 0, 1, 4])],
  },
  {
    name: 'GatherElements with repeated ids',
    build: (g, [x, i]) => g.gatherElements(x, i, 1),
    inputs: [f(2, 4), ids([2, 3], [3, 3, 0, 1, 2, 1])],
  },
  { name: 'ReduceSum', build: (g, [a]) => g.reduceSum(a, [0, 2], false), inputs: [f(2, 3, 4)] },
  { name: 'ReduceSum keepdims', build: (g, [a]) => g.reduceSum(a, [-1], true), inputs: [f(2, 3)] },
  { name: 'ReduceMean', build: (g, [a]) => g.reduceMean(a, [1], true), inputs: [f(2, 3, 2)] },
  { name: 'Softmax', build: (g, [a]) => g.softmax(a, -1), inputs: [f(3, 5)] },
  { name: 'Softmax axis 0', build: (g, [a]) => g.softmax(a, 0), inputs: [f(4, 2)] },
  { name: 'LogSoftmax', build: (g, [a]) => g.logSoftmax(a, -1), inputs: [f(3, 5)] },
  {
    name: 'Where mask',
    build: (g, [a, b]) => g.where(g.constant(new Uint8Array([1, 0, 1, 1, 0, 0]), [2, 3]), a, b),
    inputs: [f(2, 3), f(3)],
  },
  // Composite layers: each exercises several rules together.
  { name: 'RMSNorm (fused SimplifiedLayerNormalization)', build: (g, [x, w]) => rmsnorm(g, x, w, 1e-5), inputs: [f(2, 3, 8), f(8)] },
  { name: 'RMSNorm from primitives', build: (g, [x, w]) => rmsnormPrimitive(g, x, w, 1e-5), inputs: [f(2, 3, 8), f(8)] },
  { name: 'SiLU (QuickGelu alpha 1)', build: (g, [x]) => g.silu(x), inputs: [f(3, 4)] },
  {
    name: 'RoPE',
    build: (g, [x]) => {
      const { cos, sin } = ropeTables(3, 4, 10000);
      return rope(g, x, g.constant(cos, [3, 4]), g.constant(sin, [3, 4]));
    },
    inputs: [f(1, 2, 3, 4)],
  },
  {
    name: 'RoPE fused (RotaryEmbedding)',
    build: (g, [x]) => {
      const { cos, sin } = ropeHalfTables(4, 4, 10000);
      const pos = g.constant(new BigInt64Array([0n, 1n, 2n, 3n, 0n, 1n, 2n, 3n]), [2, 4]);
      return ropeFused(g, x, pos, g.constant(cos, [4, 2]), g.constant(sin, [4, 2]), 2);
    },
    inputs: [f(2, 4, 8)],
  },
  { name: 'SwiGLU', build: (g, [x, a, b, c]) => swiglu(g, x, a, b, c), inputs: [f(2, 3, 4), f(6, 4), f(6, 4), f(4, 6)] },
  {
    name: 'causal attention with GQA',
    build: (g, [q, k, v]) => attention(g, q, repeatKv(g, k, 2), repeatKv(g, v, 2), g.constant(causalBiasData(3), [3, 3])),
    inputs: [f(1, 2, 3, 4), f(1, 1, 3, 4), f(1, 1, 3, 4)],
  },
];

describe('gradient rules vs central finite differences', () => {
  const covered = new Set<string>();
  for (const c of CASES) {
    it(c.name, async () => {
      const r = await gradCheck(c.build, c.inputs, c.opts);
      for (const op of r.ops) covered.add(op);
      expect(r.checked).toBeGreaterThan(0);
      expect(r.worst, r.detail).toBeLessThanOrEqual(1);
    });
  }
  it('covers every rule in GRAD_RULES', () => {
    const missing = Object.keys(GRAD_RULES).filter((op) => !covered.has(op));
    expect(missing).toEqual([]);
  });
});

describe('autodiff errors', () => {
  it('names the op without a rule', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [3]);
    const y = g.node('Softplus', [x], {}, [{ dtype: 'float32', shape: [3] }])[0];
    expect(() => gradients(g, g.sumAll(y), [x])).toThrow(/no gradient rule for Softplus/);
  });
  it('rejects a non-scalar loss', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [3]);
    const err = (() => {
      try {
        gradients(g, g.exp(x), [x]);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AutodiffError);
    expect((err as AutodiffError).code).toBe('BAD_LOSS');
  });
  it('a gradient check can fail: a wrong rule is caught', async () => {
    const saved = GRAD_RULES.Exp;
    GRAD_RULES.Exp = (g, n, [dy]) => [g.mul(dy!, g.mul(n.outputs[0], 1.1))];
    try {
      const r = await gradCheck((g, [a]) => g.exp(a), [f(4)]);
      expect(r.worst).toBeGreaterThan(1);
    } finally {
      GRAD_RULES.Exp = saved;
    }
  });
});
