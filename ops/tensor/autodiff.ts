// Reverse-mode autodiff over graph-builder graphs: a table with one gradient rule per op,
// each rule emitting ordinary inference ops (no SoftmaxGrad or other training-only ORT ops),
// so forward and backward run as one session in the npm onnxruntime build.
// Not general: no gradients through Loop/If, integer ops, or ops missing from GRAD_RULES
// (those raise AutodiffError naming the op); higher-order gradients are untested.
import { type AttrValue } from './onnx.ts';
import { type Graph, type Node, type Value, attr, isFloat } from './graph.ts';
import { CodedError } from '../errors.ts';

export class AutodiffError extends CodedError<'NO_GRAD_RULE' | 'BAD_LOSS' | 'SHAPE_BUG'> {}

/**
 * Given the forward node, the gradients of its outputs (null = none) and which inputs need a
 * gradient (`needs[i]`; rules skip the others so no dead backward nodes are emitted), returns
 * the gradients of its inputs.
 */
export type GradRule = (g: Graph, n: Node, dys: (Value | null)[], needs: boolean[]) => (Value | null)[];

function shapeEq(a: readonly (number | string)[], b: readonly (number | string)[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Sum dy down to `shape` (the reverse of numpy broadcasting). */
export function unbroadcast(g: Graph, dy: Value, shape: readonly (number | string)[]): Value {
  if (shapeEq(dy.shape, shape)) return dy;
  const lead = dy.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < dy.rank; i++) {
    if (i < lead) axes.push(i);
    else if (shape[i - lead] === 1 && dy.shape[i] !== 1) axes.push(i);
  }
  const s = axes.length ? g.reduceSum(dy, axes, true) : dy;
  return g.reshape(s, shape as number[]);
}

function ints(n: Node, key: string): readonly number[] {
  return (n.attrs[key] as { kind: 'ints'; value: readonly number[] }).value;
}
function int(n: Node, key: string, dflt: number): number {
  const a = n.attrs[key] as { kind: 'int'; value: number } | undefined;
  return a ? a.value : dflt;
}
function constInts(v: Value | null, what: string): number[] {
  if (!v || !v.constData) throw new AutodiffError('NO_GRAD_RULE', `${what}: needs a constant ${v?.name ?? 'input'}`);
  return Array.from(v.constData as ArrayLike<number | bigint>, (x) => Number(x));
}

/** Zeros of a static float shape via ConstantOfShape (no large constant in the model). */
function zeros(g: Graph, shape: readonly (number | string)[]): Value {
  const value: AttrValue = { kind: 'tensor', value: { name: 'zero', dtype: 'float32', dims: [1], raw: new Uint8Array(4) } };
  return g.node('ConstantOfShape', [g.int64s(shape as number[])], { value }, [{ dtype: 'float32', shape }])[0];
}

/** Broadcast a reduced gradient (keepdims layout `keptShape`) back to `shape`. */
function spread(g: Graph, dy: Value, keptShape: (number | string)[], shape: readonly (number | string)[]): Value {
  return g.expand(g.reshape(dy, keptShape as number[]), shape as number[]);
}

function reduceAxes(n: Node): { axes: number[]; kept: (number | string)[] } {
  const x = n.inputs[0]!;
  const axes = constInts(n.inputs[1], n.op).map((a) => (a < 0 ? a + x.rank : a));
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return { axes, kept };
}

/**
 * The rule table. Notation: x, a, b = forward inputs, y = forward output, dy = its gradient.
 * Broadcasting binary ops unbroadcast their input gradients.
 */
export const GRAD_RULES: Record<string, GradRule> = {
  Add: (g, n, [dy], needs) => [
    needs[0] ? unbroadcast(g, dy!, n.inputs[0]!.shape) : null,
    needs[1] ? unbroadcast(g, dy!, n.inputs[1]!.shape) : null,
  ],
  Sub: (g, n, [dy], needs) => [
    needs[0] ? unbroadcast(g, dy!, n.inputs[0]!.shape) : null,
    needs[1] ? unbroadcast(g, g.neg(dy!), n.inputs[1]!.shape) : null,
  ],
  // d(a b) = b da + a db
  Mul: (g, n, [dy], needs) => {
    const [a, b] = n.inputs as Value[];
    return [needs[0] ? unbroadcast(g, g.mul(dy!, b), a.shape) : null, needs[1] ? unbroadcast(g, g.mul(dy!, a), b.shape) : null];
  },
  // d(a / b) = da / b - (a / b^2) db = da / b - y db / b
  Div: (g, n, [dy], needs) => {
    const [a, b] = n.inputs as Value[];
    const y = n.outputs[0];
    const da = g.div(dy!, b);
    return [needs[0] ? unbroadcast(g, da, a.shape) : null, needs[1] ? unbroadcast(g, g.neg(g.mul(da, y)), b.shape) : null];
  },
  // y = a^p with constant p: dy p a^(p-1); no gradient for the exponent.
  Pow: (g, n, [dy]) => {
    const [a, p] = n.inputs as Value[];
    if (!p.constData) throw new AutodiffError('NO_GRAD_RULE', `Pow ${n.name}: only a constant exponent is differentiable`);
    const pm1 = g.sub(p, 1);
    return [unbroadcast(g, g.mul(dy!, g.mul(p, g.pow(a, pm1))), a.shape), null];
  },
  Neg: (g, _n, [dy]) => [g.neg(dy!)],
  Identity: (_g, _n, [dy]) => [dy],
  // d exp(x) = y dx
  Exp: (g, n, [dy]) => [g.mul(dy!, n.outputs[0])],
  Log: (g, n, [dy]) => [g.div(dy!, n.inputs[0]!)],
  // d sqrt(x) = dx / (2 y)
  Sqrt: (g, n, [dy]) => [g.div(g.mul(dy!, 0.5), n.outputs[0])],
  // d (1/x) = -y^2 dx
  Reciprocal: (g, n, [dy]) => {
    const y = n.outputs[0];
    return [g.neg(g.mul(dy!, g.mul(y, y)))];
  },
  // d sigmoid = y (1 - y)
  Sigmoid: (g, n, [dy]) => {
    const y = n.outputs[0];
    return [g.mul(dy!, g.mul(y, g.sub(g.scalar(1), y)))];
  },
  Tanh: (g, n, [dy]) => {
    const y = n.outputs[0];
    return [g.mul(dy!, g.sub(g.scalar(1), g.mul(y, y)))];
  },
  Relu: (g, n, [dy]) => [g.where(g.greater(n.inputs[0]!, 0), dy!, 0)],
  Cast: (g, n, [dy]) => (isFloat(n.inputs[0]!) ? [g.cast(dy!, n.inputs[0]!.dtype)] : [null]),
  // y = a b (batched): da = dy b^T, db = a^T dy, each summed over broadcast batch dims.
  MatMul: (g, n, [dy], needs) => {
    const [a, b] = n.inputs as Value[];
    const da = needs[0] ? unbroadcast(g, g.matmul(dy!, g.t(b)), a.shape) : null;
    let db: Value | null;
    if (!needs[1]) {
      db = null;
    } else if (b.rank === 2 && a.rank > 2) {
      // Shared weight: fold the batch into rows, one (k, N) x (N, n) product instead of a batch of them.
      const k = a.shape[a.rank - 1] as number;
      const m = dy!.shape[dy!.rank - 1] as number;
      db = g.matmul(g.t(g.reshape(a, [-1, k])), g.reshape(dy!, [-1, m]));
    } else {
      db = unbroadcast(g, g.matmul(g.t(a), dy!), b.shape);
    }
    return [da, db];
  },
  // Y = op(A) op(B) (+ C), op = transpose when flagged; each case is again one Gemm:
  //   NN: dA = dY B^T, dB = A^T dY      NT: dA = dY B,     dB = dY^T A
  //   TN: dA = B dY^T, dB = A dY        TT: dA = B^T dY^T, dB = dY^T A^T
  Gemm: (g, n, [dy], needs) => {
    const [a, b, c] = n.inputs as Value[];
    for (const k of ['alpha', 'beta'] as const) {
      const v = (n.attrs[k] as { kind: 'float'; value: number } | undefined)?.value ?? 1;
      if (v !== 1) throw new AutodiffError('NO_GRAD_RULE', `Gemm ${n.name}: ${k} = ${v} is not supported`);
    }
    const ta = int(n, 'transA', 0) === 1;
    const tb = int(n, 'transB', 0) === 1;
    const d = dy!;
    let da: Value | null = null;
    let db: Value | null = null;
    if (needs[0]) da = ta ? g.gemm(b, d, { transA: tb, transB: true }) : g.gemm(d, b, { transB: !tb });
    if (needs[1]) db = tb ? g.gemm(d, a, { transA: true, transB: ta }) : g.gemm(a, d, { transA: !ta });
    const dc = c && needs[2] ? unbroadcast(g, d, c.shape) : null;
    return [da, db, dc];
  },
  Reshape: (g, n, [dy]) => [g.reshape(dy!, n.inputs[0]!.shape as number[]), null],
  Unsqueeze: (g, n, [dy]) => [g.reshape(dy!, n.inputs[0]!.shape as number[]), null],
  Squeeze: (g, n, [dy]) => [g.reshape(dy!, n.inputs[0]!.shape as number[]), null],
  Transpose: (g, n, [dy]) => {
    const perm = ints(n, 'perm');
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return [g.transpose(dy!, inv)];
  },
  Expand: (g, n, [dy]) => [unbroadcast(g, dy!, n.inputs[0]!.shape), null],
  Concat: (g, n, [dy]) => {
    const axis = int(n, 'axis', 0);
    return g.split(dy!, axis, n.inputs.map((x) => x!.shape[axis] as number));
  },
  // Unused split outputs contribute zeros.
  Split: (g, n, dys) => {
    const axis = int(n, 'axis', 0);
    const parts = n.outputs.map((o, i) => dys[i] ?? zeros(g, o.shape));
    return [g.concat(parts, axis), null];
  },
  // Slice (step 1): pad dy with zeros back to the input's extent.
  Slice: (g, n, [dy]) => {
    const x = n.inputs[0]!;
    const starts = constInts(n.inputs[1], 'Slice');
    const axes = constInts(n.inputs[3], 'Slice');
    const pads = new Array<number>(2 * x.rank).fill(0);
    axes.forEach((a, i) => {
      const d = x.shape[a] as number;
      const s = Math.max(0, Math.min(d, starts[i] < 0 ? starts[i] + d : starts[i]));
      pads[a] = s;
      pads[x.rank + a] = d - s - (dy!.shape[a] as number);
    });
    const out = g.node('Pad', [dy!, g.int64s(pads)], { mode: attr.string('constant') }, [{ dtype: x.dtype, shape: x.shape }]);
    return [out[0], null, null, null];
  },
  // Embedding lookup (axis 0): d data = onehot(ids)^T @ dy, one GEMM. Not ScatterND with
  // reduction 'add': ORT runs that in parallel and sums repeated ids in a varying order, so
  // the same batch gave different gradient bits from run to run (found by `ace sft` drift).
  // Costs one (rows x V) @ (V x D) product, the size of the LM head's.
  Gather: (g, n, [dy]) => {
    const [data, idx] = n.inputs as Value[];
    if (int(n, 'axis', 0) !== 0) throw new AutodiffError('NO_GRAD_RULE', `Gather ${n.name}: gradient only for axis 0`);
    const dims = [...data.shape, ...idx.shape];
    if (dims.some((d) => typeof d !== 'number')) throw new AutodiffError('NO_GRAD_RULE', `Gather ${n.name}: gradient needs static shapes`);
    const rows = (idx.shape as number[]).reduce((a, b) => a * b, 1);
    const vocab = data.shape[0] as number;
    const width = (data.shape as number[]).slice(1).reduce((a, b) => a * b, 1);
    const idx64 = idx.dtype === 'int64' ? idx : g.cast(idx, 'int64');
    const ids = g.reshape(idx64, [rows, 1]);
    const classes = g.constant(BigInt64Array.from({ length: vocab }, (_, i) => BigInt(i)), [1, vocab]);
    const onehot = g.cast(g.equal(ids, classes), dy!.dtype); // (rows, V)
    const d = g.gemm(onehot, g.reshape(dy!, [rows, width]), { transA: true }); // (V, width)
    return [g.reshape(d, data.shape as number[]), null];
  },
  GatherElements: (g, n, [dy]) => {
    const [data, idx] = n.inputs as Value[];
    const out = g.node(
      'ScatterElements',
      [zeros(g, data.shape), idx, dy!],
      { axis: attr.int(int(n, 'axis', 0)), reduction: attr.string('add') },
      [{ dtype: data.dtype, shape: data.shape }],
    );
    return [out[0], null];
  },
  ReduceSum: (g, n, [dy]) => {
    const { kept } = reduceAxes(n);
    return [spread(g, dy!, kept, n.inputs[0]!.shape), null];
  },
  ReduceMean: (g, n, [dy]) => {
    const x = n.inputs[0]!;
    const { axes, kept } = reduceAxes(n);
    const count = axes.reduce((p, a) => p * (x.shape[a] as number), 1);
    return [spread(g, g.mul(dy!, 1 / count), kept, x.shape), null];
  },
  // dx = y (dy - sum(dy y)) along the softmax axis.
  Softmax: (g, n, [dy]) => {
    const y = n.outputs[0];
    const axis = int(n, 'axis', -1);
    const s = g.reduceSum(g.mul(dy!, y), [axis], true);
    return [g.mul(y, g.sub(dy!, s))];
  },
  // dx = dy - softmax(x) sum(dy), softmax(x) = exp(y).
  LogSoftmax: (g, n, [dy]) => {
    const y = n.outputs[0];
    const axis = int(n, 'axis', -1);
    const s = g.reduceSum(dy!, [axis], true);
    return [g.sub(dy!, g.mul(g.exp(y), s))];
  },
  // RMSNorm y = w * x * r, r = invStd = (mean(x^2) + eps)^(-1/2), xhat = x r, gw = dy w:
  // dx = r (gw - xhat * mean(gw * xhat)) (since dr/dx_j = -r^3 x_j / D); dw = sum over rows of dy xhat.
  SimplifiedLayerNormalization: (g, n, [dy, dInv], needs) => {
    if (dInv) throw new AutodiffError('NO_GRAD_RULE', `${n.name}: gradient through invStd is not supported`);
    const [x, w] = n.inputs as Value[];
    const r = n.outputs[1];
    const xhat = g.mul(x, r); // (..., D)
    const gw = g.mul(dy!, w); // (..., D)
    const dx = needs[0] ? g.mul(g.sub(gw, g.mul(xhat, g.reduceMean(g.mul(gw, xhat), [-1], true))), r) : null;
    const dw = needs[1] ? unbroadcast(g, g.mul(dy!, xhat), w.shape) : null;
    return [dx, dw];
  },
  // SiLU y = x s, s = sigmoid(x): dy/dx = s + x s (1 - s) = s + y - y s.
  QuickGelu: (g, n, [dy]) => {
    const alpha = (n.attrs.alpha as { kind: 'float'; value: number } | undefined)?.value ?? 1.702;
    if (alpha !== 1) throw new AutodiffError('NO_GRAD_RULE', `${n.name}: QuickGelu gradient only for alpha 1 (SiLU)`);
    const y = n.outputs[0];
    const s = g.sigmoid(n.inputs[0]!);
    return [g.mul(dy!, g.add(s, g.sub(y, g.mul(y, s))))];
  },
  // RoPE is a rotation per (position, frequency) pair, so its adjoint is the inverse
  // rotation: the same op with the sin cache negated. Positions and caches get no gradient.
  RotaryEmbedding: (g, n, [dy]) => {
    const scale = (n.attrs.scale as { kind: 'float'; value: number } | undefined)?.value ?? 1;
    if (scale !== 1) throw new AutodiffError('NO_GRAD_RULE', `RotaryEmbedding ${n.name}: scale ${scale} is not supported`);
    const [x, pos, cos, sin] = n.inputs as Value[];
    const dx = g.node('RotaryEmbedding', [dy!, pos, cos, g.neg(sin)], n.attrs, [{ dtype: x.dtype, shape: x.shape }], undefined, n.domain)[0];
    return [dx, null, null, null];
  },
  Where: (g, n, [dy], needs) => {
    const [c, a, b] = n.inputs as Value[];
    return [
      null,
      needs[1] ? unbroadcast(g, g.where(c, dy!, 0), a.shape) : null,
      needs[2] ? unbroadcast(g, g.where(c, g.scalar(0, dy!.dtype), dy!), b.shape) : null,
    ];
  },
};

/**
 * Appends the backward pass of scalar `loss` to `g` and returns d loss / d w for each w in
 * `wrt` (zeros when loss does not depend on w). Gradients of one value from several
 * consumers are summed.
 */
export function gradients(g: Graph, loss: Value, wrt: readonly Value[]): Value[] {
  if (loss.rank !== 0 || !isFloat(loss)) throw new AutodiffError('BAD_LOSS', `loss ${loss} must be a float scalar`);
  // Forward reachability: values that depend on some wrt.
  const dependent = new Set<Value>(wrt);
  const nodes = g.nodes.slice(); // snapshot; backward nodes are appended to g.nodes
  for (const n of nodes) {
    if (n.inputs.some((i) => i && dependent.has(i))) for (const o of n.outputs) if (isFloat(o)) dependent.add(o);
  }
  const grads = new Map<Value, Value>();
  grads.set(loss, g.scalar(1, loss.dtype));
  for (let k = nodes.length - 1; k >= 0; k--) {
    const n = nodes[k];
    const dys = n.outputs.map((o) => grads.get(o) ?? null);
    if (dys.every((d) => d === null)) continue;
    if (!n.inputs.some((i) => i && dependent.has(i))) continue;
    const rule = GRAD_RULES[n.op];
    if (!rule) throw new AutodiffError('NO_GRAD_RULE', `no gradient rule for ${n.op} (node ${n.name}) on the path to ${loss.name}`);
    const dxs = rule(g, n, dys, n.inputs.map((i) => i !== null && dependent.has(i)));
    n.inputs.forEach((x, i) => {
      const dx = dxs[i];
      if (!x || !dx || !dependent.has(x)) return;
      if (!shapeEq(dx.shape, x.shape)) {
        throw new AutodiffError('SHAPE_BUG', `${n.op} rule gave d${x.name} shape [${dx.shape.join(',')}], expected [${x.shape.join(',')}]`);
      }
      const prev = grads.get(x);
      grads.set(x, prev ? g.add(prev, dx) : dx);
    });
  }
  return wrt.map((w) => grads.get(w) ?? zeros(g, w.shape));
}

