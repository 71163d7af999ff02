// Graph builder for ONNX with static shapes: every op helper checks its input shapes and
// dtypes and infers the output's, so a wrong shape fails at build time with the value named.
// Subgraphs (Loop bodies, If branches) are child Graphs that may read parent values.
// Not an executor and not an optimizer: graphs run in onnxruntime-node (session.ts); the
// generic `node()` escape hatch takes any ORT op with caller-declared output types.
import {
  type AttrValue,
  type DType,
  type Dim,
  type GraphRecord,
  type ModelRecord,
  type NodeRecord,
  type TensorRecord,
  encodeModel,
  rawBytes,
} from './onnx.ts';
import { CodedError } from '../errors.ts';

export type { DType, Dim } from './onnx.ts';

export const GraphErrorCode = {
  shape: 'SHAPE_MISMATCH',
  dtype: 'DTYPE_MISMATCH',
  scope: 'FOREIGN_VALUE',
  name: 'DUPLICATE_NAME',
  arg: 'BAD_ARGUMENT',
} as const;
export type GraphErrorCode = (typeof GraphErrorCode)[keyof typeof GraphErrorCode];

export class GraphError extends CodedError<GraphErrorCode> {}

export type ConstData = Float32Array | Int32Array | BigInt64Array | Uint8Array;

/** A symbolic tensor: one SSA name with a dtype and a (possibly symbolic) shape. */
export class Value {
  /** Producing node, or null for inputs, initializers and constants. */
  producer: Node | null = null;
  /** Data when this value is a builder constant (read by autodiff rules for axes, shapes). */
  constData: ConstData | null = null;
  constructor(
    readonly graph: Graph,
    readonly name: string,
    readonly dtype: DType,
    readonly shape: readonly Dim[],
  ) {}
  get rank(): number {
    return this.shape.length;
  }
  toString(): string {
    return `${this.name}:${this.dtype}[${this.shape.join(',')}]`;
  }
}

export interface Node {
  op: string;
  domain?: string;
  name: string;
  /** null marks an omitted optional input (written as ''). */
  inputs: (Value | null)[];
  outputs: Value[];
  attrs: Record<string, AttrValue>;
  /** Loop bodies / If branches, kept so liveness sees the outer values they read. */
  subgraphs?: Graph[];
}

export interface OutSpec {
  dtype: DType;
  shape: readonly Dim[];
}

export const attr = {
  int: (value: number): AttrValue => ({ kind: 'int', value }),
  float: (value: number): AttrValue => ({ kind: 'float', value }),
  string: (value: string): AttrValue => ({ kind: 'string', value }),
  ints: (value: readonly number[]): AttrValue => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): AttrValue => ({ kind: 'floats', value }),
  graph: (g: Graph): AttrValue => ({ kind: 'graph', value: g.toRecord() }),
};

const FLOATS: readonly DType[] = ['float32', 'float16', 'float64', 'bfloat16'];

function dtypeOf(data: ConstData): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  return 'bool';
}

function numel(shape: readonly Dim[]): number {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number') return -1;
    n *= d;
  }
  return n;
}

function normAxis(axis: number, rank: number, what: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new GraphError(GraphErrorCode.arg, `${what}: axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** Numpy broadcast of two shapes; symbolic dims broadcast against 1 and equal names only. */
export function broadcastShapes(a: readonly Dim[], b: readonly Dim[], what: string): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (da === db || db === 1) out.push(da);
    else if (da === 1) out.push(db);
    else throw new GraphError(GraphErrorCode.shape, `${what}: cannot broadcast [${a.join(',')}] with [${b.join(',')}]`);
  }
  return out;
}

interface Root {
  counter: number;
  names: Set<string>;
  constCache: Map<string, Value>;
  /** Non-default op domains used anywhere (e.g. 'com.microsoft'), imported at opset 1. */
  domains: Set<string>;
}

export class Graph {
  readonly nodes: Node[] = [];
  readonly inputs: Value[] = [];
  readonly outputs: Value[] = [];
  readonly initializers: { value: Value; data: ConstData }[] = [];
  private readonly root: Root;

  constructor(
    readonly name = 'main',
    readonly parent: Graph | null = null,
  ) {
    this.root = parent ? parent.root : { counter: 0, names: new Set(), constCache: new Map(), domains: new Set() };
  }

  private rootGraph(): Graph {
    let g: Graph = this;
    while (g.parent) g = g.parent;
    return g;
  }

  private fresh(prefix: string): string {
    let n: string;
    do n = `${prefix}_${this.root.counter++}`;
    while (this.root.names.has(n));
    return n;
  }

  private claim(name: string): string {
    if (this.root.names.has(name)) throw new GraphError(GraphErrorCode.name, `value name '${name}' is already used`);
    this.root.names.add(name);
    return name;
  }

  /** Throws unless v belongs to this graph or an enclosing one. */
  use(v: Value): Value {
    for (let g: Graph | null = this; g; g = g.parent) if (v.graph === g) return v;
    throw new GraphError(GraphErrorCode.scope, `value ${v.name} belongs to graph '${v.graph.name}', not visible from '${this.name}'`);
  }

  // ---- declarations -------------------------------------------------------------------

  input(name: string, dtype: DType, shape: readonly Dim[]): Value {
    const v = new Value(this, this.claim(name), dtype, [...shape]);
    this.inputs.push(v);
    return v;
  }

  /** A named initializer (weights baked into the model). */
  initializer(name: string, data: ConstData, shape: readonly number[]): Value {
    return this.addInitializer(this.claim(name), data, shape);
  }

  private addInitializer(name: string, data: ConstData, shape: readonly number[]): Value {
    if (numel(shape) !== data.length) {
      throw new GraphError(GraphErrorCode.shape, `initializer ${name}: ${data.length} elements for shape [${shape.join(',')}]`);
    }
    const v = new Value(this, name, dtypeOf(data), [...shape]);
    v.constData = data;
    this.initializers.push({ value: v, data });
    return v;
  }

  /** An anonymous constant, stored in the root graph (visible to all subgraphs) and de-duplicated when small. */
  constant(data: ConstData, shape: readonly number[]): Value {
    const root = this.rootGraph();
    let key: string | null = null;
    if (data.length <= 16) {
      key = `${dtypeOf(data)}|${shape.join(',')}|${Array.from(data as ArrayLike<number | bigint>).join(',')}`;
      const hit = this.root.constCache.get(key);
      if (hit) return hit;
    }
    const v = root.addInitializer(root.claim(root.fresh('const')), data, shape);
    if (key) this.root.constCache.set(key, v);
    return v;
  }

  scalar(x: number, dtype: DType = 'float32'): Value {
    if (dtype === 'float32') return this.constant(new Float32Array([x]), []);
    if (dtype === 'int64') return this.constant(new BigInt64Array([BigInt(x)]), []);
    if (dtype === 'int32') return this.constant(new Int32Array([x]), []);
    if (dtype === 'bool') return this.constant(new Uint8Array([x ? 1 : 0]), []);
    throw new GraphError(GraphErrorCode.dtype, `scalar: unsupported dtype ${dtype}`);
  }

  int64s(xs: readonly number[]): Value {
    return this.constant(new BigInt64Array(xs.map((x) => BigInt(x))), [xs.length]);
  }

  /** Declares v as a graph output, named `name` (an Identity is inserted when needed). */
  output(v: Value, name?: string): Value {
    this.use(v);
    const needsCopy =
      (name !== undefined && name !== v.name) ||
      v.graph !== this ||
      v.producer === null ||
      this.outputs.includes(v);
    const out = needsCopy ? this.node('Identity', [v], {}, [{ dtype: v.dtype, shape: v.shape }], name)[0] : v;
    this.outputs.push(out);
    return out;
  }

  // ---- the generic node ---------------------------------------------------------------

  /** Adds any node; output types are declared by the caller. `name` names the first output. */
  node(
    op: string,
    inputs: readonly (Value | null)[],
    attrs: Record<string, AttrValue>,
    outs: readonly OutSpec[],
    name?: string,
    domain?: string,
  ): Value[] {
    for (const i of inputs) if (i) this.use(i);
    if (domain) this.root.domains.add(domain);
    const node: Node = { op, name: this.claim(this.fresh(op)), inputs: [...inputs], outputs: [], attrs, domain };
    node.outputs = outs.map((o, k) => {
      const v = new Value(this, this.claim(k === 0 && name ? name : this.fresh('t')), o.dtype, [...o.shape]);
      v.producer = node;
      return v;
    });
    this.nodes.push(node);
    return node.outputs;
  }

  private one(op: string, inputs: readonly (Value | null)[], out: OutSpec, attrs: Record<string, AttrValue> = {}): Value {
    return this.node(op, inputs, attrs, [out])[0];
  }

  // ---- elementwise --------------------------------------------------------------------

  private sameDtype(what: string, ...vs: Value[]): DType {
    const d = vs[0].dtype;
    for (const v of vs) if (v.dtype !== d) throw new GraphError(GraphErrorCode.dtype, `${what}: dtype ${v} vs ${vs[0]}`);
    return d;
  }

  private binary(op: string, a: Value, b: Value, outDtype?: DType): Value {
    const d = this.sameDtype(op, a, b);
    return this.one(op, [a, b], { dtype: outDtype ?? d, shape: broadcastShapes(a.shape, b.shape, `${op}(${a}, ${b})`) });
  }

  private num(x: Value | number, like: Value): Value {
    return typeof x === 'number' ? this.scalar(x, like.dtype) : x;
  }

  add(a: Value, b: Value | number): Value {
    return this.binary('Add', a, this.num(b, a));
  }
  sub(a: Value, b: Value | number): Value {
    return this.binary('Sub', a, this.num(b, a));
  }
  mul(a: Value, b: Value | number): Value {
    return this.binary('Mul', a, this.num(b, a));
  }
  div(a: Value, b: Value | number): Value {
    return this.binary('Div', a, this.num(b, a));
  }
  pow(a: Value, b: Value | number): Value {
    return this.binary('Pow', a, this.num(b, a));
  }
  max(a: Value, b: Value | number): Value {
    return this.binary('Max', a, this.num(b, a));
  }
  min(a: Value, b: Value | number): Value {
    return this.binary('Min', a, this.num(b, a));
  }
  equal(a: Value, b: Value | number): Value {
    return this.binary('Equal', a, this.num(b, a), 'bool');
  }
  less(a: Value, b: Value | number): Value {
    return this.binary('Less', a, this.num(b, a), 'bool');
  }
  greater(a: Value, b: Value | number): Value {
    return this.binary('Greater', a, this.num(b, a), 'bool');
  }
  and(a: Value, b: Value): Value {
    return this.binary('And', a, b, 'bool');
  }
  or(a: Value, b: Value): Value {
    return this.binary('Or', a, b, 'bool');
  }

  private unary(op: string, x: Value, attrs: Record<string, AttrValue> = {}): Value {
    return this.one(op, [x], { dtype: x.dtype, shape: x.shape }, attrs);
  }
  neg(x: Value): Value {
    return this.unary('Neg', x);
  }
  exp(x: Value): Value {
    return this.unary('Exp', x);
  }
  log(x: Value): Value {
    return this.unary('Log', x);
  }
  sqrt(x: Value): Value {
    return this.unary('Sqrt', x);
  }
  reciprocal(x: Value): Value {
    return this.unary('Reciprocal', x);
  }
  sigmoid(x: Value): Value {
    return this.unary('Sigmoid', x);
  }
  tanh(x: Value): Value {
    return this.unary('Tanh', x);
  }
  abs(x: Value): Value {
    return this.unary('Abs', x);
  }
  relu(x: Value): Value {
    return this.unary('Relu', x);
  }
  identity(x: Value): Value {
    return this.unary('Identity', x);
  }
  not(x: Value): Value {
    return this.unary('Not', x);
  }
  cast(x: Value, to: DType): Value {
    const codes: Record<DType, number> = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10, float64: 11, bfloat16: 16 };
    return this.one('Cast', [x], { dtype: to, shape: x.shape }, { to: attr.int(codes[to]) });
  }

  where(cond: Value, a: Value, b: Value | number): Value {
    if (cond.dtype !== 'bool') throw new GraphError(GraphErrorCode.dtype, `Where: condition ${cond} must be bool`);
    const bb = this.num(b, a);
    const d = this.sameDtype('Where', a, bb);
    const shape = broadcastShapes(broadcastShapes(cond.shape, a.shape, 'Where'), bb.shape, `Where(${cond}, ${a}, ${bb})`);
    return this.one('Where', [cond, a, bb], { dtype: d, shape });
  }

  // ---- linear algebra -----------------------------------------------------------------

  /**
   * 2-D product as ONNX Gemm: op(a) op(b) (+ c, broadcast), op = transpose when flagged.
   * MLAS runs Gemm's transposed operands in place, so no Transpose nodes are needed.
   */
  gemm(a: Value, b: Value, opts: { transA?: boolean; transB?: boolean } = {}, c?: Value): Value {
    const d = this.sameDtype('Gemm', a, b);
    if (a.rank !== 2 || b.rank !== 2) throw new GraphError(GraphErrorCode.shape, `Gemm(${a}, ${b}): operands must be 2-D`);
    const [m, ka] = opts.transA ? [a.shape[1], a.shape[0]] : a.shape;
    const [kb, n] = opts.transB ? [b.shape[1], b.shape[0]] : b.shape;
    if (ka !== kb) throw new GraphError(GraphErrorCode.shape, `Gemm(${a}${opts.transA ? '^T' : ''}, ${b}${opts.transB ? '^T' : ''}): inner dims ${ka} != ${kb}`);
    if (c) broadcastShapes([m, n], c.shape, `Gemm bias ${c}`);
    const attrs: Record<string, AttrValue> = {};
    if (opts.transA) attrs.transA = attr.int(1);
    if (opts.transB) attrs.transB = attr.int(1);
    return this.one('Gemm', c ? [a, b, c] : [a, b], { dtype: d, shape: [m, n] }, attrs);
  }

  /**
   * Matmul with numpy broadcasting over leading dims; both operands rank >= 2. Two 2-D
   * operands become a Gemm, with a Transpose producer folded into its trans flag.
   */
  matmul(a: Value, b: Value): Value {
    if (a.rank === 2 && b.rank === 2) {
      const unT = (v: Value): [Value, boolean] => {
        const p = v.producer;
        return p && p.op === 'Transpose' && p.inputs[0] && p.inputs[0].rank === 2 ? [p.inputs[0], true] : [v, false];
      };
      const [a0, ta] = unT(a);
      const [b0, tb] = unT(b);
      return this.gemm(a0, b0, { transA: ta, transB: tb });
    }
    const d = this.sameDtype('MatMul', a, b);
    if (a.rank < 2 || b.rank < 2) throw new GraphError(GraphErrorCode.shape, `MatMul(${a}, ${b}): operands need rank >= 2`);
    const [m, ka] = a.shape.slice(-2);
    const [kb, n] = b.shape.slice(-2);
    if (ka !== kb) throw new GraphError(GraphErrorCode.shape, `MatMul(${a}, ${b}): inner dims ${ka} != ${kb}`);
    const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), `MatMul(${a}, ${b})`);
    return this.one('MatMul', [a, b], { dtype: d, shape: [...batch, m, n] });
  }

  // ---- shape ops ----------------------------------------------------------------------

  /** Reshape with ONNX semantics: 0 copies the input dim, one -1 is inferred. */
  reshape(x: Value, shape: readonly number[]): Value {
    const out: Dim[] = shape.map((s, i) => (s === 0 ? x.shape[i] : s));
    const inferAt = out.indexOf(-1);
    const total = numel(x.shape);
    if (inferAt >= 0) {
      const rest = numel(out.filter((_, i) => i !== inferAt));
      if (total < 0 || rest < 0) out[inferAt] = this.fresh('dim');
      else {
        if (rest === 0 || total % rest !== 0) throw new GraphError(GraphErrorCode.shape, `Reshape(${x}) to [${shape.join(',')}]: sizes do not divide`);
        out[inferAt] = total / rest;
      }
    } else if (total >= 0 && numel(out) >= 0 && numel(out) !== total) {
      throw new GraphError(GraphErrorCode.shape, `Reshape(${x}) to [${shape.join(',')}]: ${total} elements vs ${numel(out)}`);
    }
    if (out.length === x.rank && out.every((d, i) => d === x.shape[i])) return x;
    return this.one('Reshape', [x, this.int64s(shape)], { dtype: x.dtype, shape: out });
  }

  transpose(x: Value, perm: readonly number[]): Value {
    if (perm.length !== x.rank || [...perm].sort((p, q) => p - q).some((p, i) => p !== i)) {
      throw new GraphError(GraphErrorCode.arg, `Transpose(${x}): bad perm [${perm.join(',')}]`);
    }
    if (perm.every((p, i) => p === i)) return x;
    // Transpose of a Transpose folds into one (or none), which keeps autodiff output tidy.
    const src = x.producer;
    if (src && src.op === 'Transpose' && src.inputs[0]) {
      const inner = (src.attrs.perm as { kind: 'ints'; value: readonly number[] }).value;
      return this.transpose(src.inputs[0], perm.map((p) => inner[p]));
    }
    return this.one('Transpose', [x], { dtype: x.dtype, shape: perm.map((p) => x.shape[p]) }, { perm: attr.ints(perm) });
  }

  /** Swap the last two axes. */
  t(x: Value): Value {
    const perm = x.shape.map((_, i) => i);
    [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
    return this.transpose(x, perm);
  }

  unsqueeze(x: Value, axes: readonly number[]): Value {
    const rank = x.rank + axes.length;
    const ax = axes.map((a) => normAxis(a, rank, `Unsqueeze(${x})`)).sort((p, q) => p - q);
    const out: Dim[] = [];
    let k = 0;
    for (let i = 0; i < rank; i++) out.push(ax.includes(i) ? 1 : x.shape[k++]);
    return this.one('Unsqueeze', [x, this.int64s(ax)], { dtype: x.dtype, shape: out });
  }

  squeeze(x: Value, axes: readonly number[]): Value {
    const ax = axes.map((a) => normAxis(a, x.rank, `Squeeze(${x})`));
    for (const a of ax) if (x.shape[a] !== 1) throw new GraphError(GraphErrorCode.shape, `Squeeze(${x}): axis ${a} is not 1`);
    return this.one('Squeeze', [x, this.int64s(ax)], { dtype: x.dtype, shape: x.shape.filter((_, i) => !ax.includes(i)) });
  }

  /** Broadcast x to `shape` (numpy rules). */
  expand(x: Value, shape: readonly number[]): Value {
    const out = broadcastShapes(x.shape, shape, `Expand(${x})`);
    return this.one('Expand', [x, this.int64s(shape)], { dtype: x.dtype, shape: out });
  }

  concat(xs: readonly Value[], axis: number): Value {
    const d = this.sameDtype('Concat', ...xs);
    const a = normAxis(axis, xs[0].rank, 'Concat');
    let total: Dim = 0;
    for (const x of xs) {
      if (x.rank !== xs[0].rank || x.shape.some((s, i) => i !== a && s !== xs[0].shape[i])) {
        throw new GraphError(GraphErrorCode.shape, `Concat: ${x} does not match ${xs[0]} off axis ${a}`);
      }
      const s = x.shape[a];
      total = typeof total === 'number' && typeof s === 'number' ? total + s : this.fresh('dim');
    }
    const shape = [...xs[0].shape];
    shape[a] = total;
    return this.one('Concat', xs, { dtype: d, shape }, { axis: attr.int(a) });
  }

  split(x: Value, axis: number, sizes: readonly number[]): Value[] {
    const a = normAxis(axis, x.rank, `Split(${x})`);
    if (typeof x.shape[a] === 'number' && sizes.reduce((p, q) => p + q, 0) !== x.shape[a]) {
      throw new GraphError(GraphErrorCode.shape, `Split(${x}): sizes [${sizes.join(',')}] do not sum to ${x.shape[a]}`);
    }
    const outs = sizes.map((s) => {
      const shape = [...x.shape];
      shape[a] = s;
      return { dtype: x.dtype, shape };
    });
    return this.node('Split', [x, this.int64s(sizes)], { axis: attr.int(a) }, outs);
  }

  /** Static slice along axes (ONNX Slice with constant starts/ends, step 1). */
  slice(x: Value, axes: readonly number[], starts: readonly number[], ends: readonly number[]): Value {
    const shape = [...x.shape];
    const ax = axes.map((a) => normAxis(a, x.rank, `Slice(${x})`));
    ax.forEach((a, i) => {
      const d = shape[a];
      if (typeof d !== 'number') throw new GraphError(GraphErrorCode.shape, `Slice(${x}): axis ${a} must be static`);
      const clamp = (v: number) => Math.max(0, Math.min(d, v < 0 ? v + d : v));
      shape[a] = Math.max(0, clamp(ends[i]) - clamp(starts[i]));
    });
    return this.one('Slice', [x, this.int64s(starts), this.int64s(ends), this.int64s(ax)], { dtype: x.dtype, shape });
  }

  /** ONNX Gather: out shape = data.shape[:axis] + indices.shape + data.shape[axis+1:]. */
  gather(data: Value, indices: Value, axis = 0): Value {
    const a = normAxis(axis, data.rank, `Gather(${data})`);
    if (indices.dtype !== 'int64' && indices.dtype !== 'int32') throw new GraphError(GraphErrorCode.dtype, `Gather: indices ${indices} must be int`);
    const shape = [...data.shape.slice(0, a), ...indices.shape, ...data.shape.slice(a + 1)];
    return this.one('Gather', [data, indices], { dtype: data.dtype, shape }, { axis: attr.int(a) });
  }

  gatherElements(data: Value, indices: Value, axis: number): Value {
    const a = normAxis(axis, data.rank, `GatherElements(${data})`);
    if (indices.rank !== data.rank) throw new GraphError(GraphErrorCode.shape, `GatherElements(${data}, ${indices}): ranks differ`);
    return this.one('GatherElements', [data, indices], { dtype: data.dtype, shape: indices.shape }, { axis: attr.int(a) });
  }

  /** ScatterND; reduction 'add' accumulates duplicate indices. */
  scatterND(data: Value, indices: Value, updates: Value, reduction: 'none' | 'add' = 'none'): Value {
    const k = indices.shape[indices.rank - 1];
    if (typeof k !== 'number') throw new GraphError(GraphErrorCode.shape, `ScatterND(${indices}): last dim must be static`);
    const want = [...indices.shape.slice(0, -1), ...data.shape.slice(k)];
    if (want.length !== updates.rank || want.some((d, i) => d !== updates.shape[i])) {
      throw new GraphError(GraphErrorCode.shape, `ScatterND(${data}, ${indices}): updates ${updates} should be [${want.join(',')}]`);
    }
    return this.one('ScatterND', [data, indices, updates], { dtype: data.dtype, shape: data.shape }, { reduction: attr.string(reduction) });
  }

  // ---- reductions and normalizers -----------------------------------------------------

  private reduce(op: string, x: Value, axes: readonly number[], keepdims: boolean): Value {
    const ax = axes.map((a) => normAxis(a, x.rank, `${op}(${x})`));
    const shape: Dim[] = [];
    x.shape.forEach((d, i) => {
      if (!ax.includes(i)) shape.push(d);
      else if (keepdims) shape.push(1);
    });
    return this.one(op, [x, this.int64s(ax)], { dtype: x.dtype, shape }, { keepdims: attr.int(keepdims ? 1 : 0) });
  }
  reduceSum(x: Value, axes: readonly number[], keepdims = false): Value {
    return this.reduce('ReduceSum', x, axes, keepdims);
  }
  reduceMean(x: Value, axes: readonly number[], keepdims = false): Value {
    return this.reduce('ReduceMean', x, axes, keepdims);
  }
  reduceMax(x: Value, axes: readonly number[], keepdims = false): Value {
    return this.reduce('ReduceMax', x, axes, keepdims);
  }
  /** Sum of all elements to a scalar. */
  sumAll(x: Value): Value {
    return this.reduceSum(x, x.shape.map((_, i) => i), false);
  }

  softmax(x: Value, axis = -1): Value {
    return this.unary('Softmax', x, { axis: attr.int(normAxis(axis, x.rank, `Softmax(${x})`)) });
  }
  logSoftmax(x: Value, axis = -1): Value {
    return this.unary('LogSoftmax', x, { axis: attr.int(normAxis(axis, x.rank, `LogSoftmax(${x})`)) });
  }

  /**
   * RMSNorm over the last axis as ORT's SimplifiedLayerNormalization (one fused kernel):
   * returns y = x / sqrt(mean(x^2) + eps) * w, and invStd (..., 1) = 1 / sqrt(mean(x^2) + eps).
   */
  rmsNorm(x: Value, w: Value, eps: number): { y: Value; invStd: Value } {
    const d = this.sameDtype('SimplifiedLayerNormalization', x, w);
    if (w.rank !== 1 || w.shape[0] !== x.shape[x.rank - 1]) {
      throw new GraphError(GraphErrorCode.shape, `SimplifiedLayerNormalization(${x}, ${w}): weight must be [${String(x.shape[x.rank - 1])}]`);
    }
    const [y, invStd] = this.node('SimplifiedLayerNormalization', [x, w], { axis: attr.int(-1), epsilon: attr.float(eps) }, [
      { dtype: d, shape: x.shape },
      { dtype: d, shape: [...x.shape.slice(0, -1), 1] },
    ]);
    return { y, invStd };
  }

  /** SiLU x * sigmoid(x) as ORT's com.microsoft QuickGelu with alpha 1 (one fused kernel). */
  silu(x: Value): Value {
    return this.node('QuickGelu', [x], { alpha: attr.float(1) }, [{ dtype: x.dtype, shape: x.shape }], undefined, 'com.microsoft')[0];
  }

  argMax(x: Value, axis: number, keepdims = false): Value {
    const a = normAxis(axis, x.rank, `ArgMax(${x})`);
    const shape = x.shape.flatMap((d, i) => (i !== a ? [d] : keepdims ? [1] : []));
    return this.one('ArgMax', [x], { dtype: 'int64', shape }, { axis: attr.int(a), keepdims: attr.int(keepdims ? 1 : 0) });
  }

  /** Top-k along an axis: [values, int64 indices], sorted descending. */
  topK(x: Value, k: number, axis = -1): [Value, Value] {
    const a = normAxis(axis, x.rank, `TopK(${x})`);
    const shape = [...x.shape];
    shape[a] = k;
    const [v, i] = this.node('TopK', [x, this.int64s([k])], { axis: attr.int(a) }, [
      { dtype: x.dtype, shape },
      { dtype: 'int64', shape },
    ]);
    return [v, i];
  }

  cumSum(x: Value, axis: number): Value {
    return this.one('CumSum', [x, this.scalar(normAxis(axis, x.rank, `CumSum(${x})`), 'int64')], { dtype: x.dtype, shape: x.shape });
  }

  // ---- control flow -------------------------------------------------------------------

  /** A child graph that may read this graph's values (for Loop bodies and If branches). */
  subgraph(name: string): Graph {
    return new Graph(this.claim(this.fresh(name)), this);
  }

  /**
   * ONNX Loop. The body callback receives (body graph, iteration int64 scalar, carried
   * values) and returns the continue condition (bool scalar), the next carried values
   * (same dtypes and shapes) and per-iteration scan outputs, which come back stacked on a
   * new leading axis of length `scanLength` (symbolic unless given).
   */
  loop(opts: {
    maxTrips: Value | null;
    cond: Value | null;
    carried: readonly Value[];
    body: (b: Graph, iter: Value, carried: Value[]) => { cond: Value; carried: Value[]; scans?: Value[] };
    scanLength?: Dim;
  }): { carried: Value[]; scans: Value[] } {
    const b = this.subgraph('loop_body');
    const iter = b.input(b.fresh('iter'), 'int64', []);
    b.input(b.fresh('cond_in'), 'bool', []);
    const formals = opts.carried.map((c) => b.input(b.fresh('carry'), c.dtype, c.shape));
    const res = opts.body(b, iter, formals);
    if (res.carried.length !== formals.length) {
      throw new GraphError(GraphErrorCode.arg, `Loop: body returned ${res.carried.length} carried values, expected ${formals.length}`);
    }
    res.carried.forEach((c, i) => {
      const f = formals[i];
      if (c.dtype !== f.dtype || c.rank !== f.rank || c.shape.some((d, k) => d !== f.shape[k])) {
        throw new GraphError(GraphErrorCode.shape, `Loop: carried ${i} changes from ${f} to ${c}`);
      }
    });
    if (res.cond.dtype !== 'bool' || res.cond.rank !== 0) throw new GraphError(GraphErrorCode.dtype, `Loop: cond ${res.cond} must be a bool scalar`);
    b.output(res.cond);
    for (const c of res.carried) b.output(c);
    const scans = res.scans ?? [];
    for (const s of scans) b.output(s);
    const scanLen = opts.scanLength ?? this.fresh('loop_n');
    const loopOuts = this.node(
      'Loop',
      [opts.maxTrips, opts.cond, ...opts.carried],
      { body: attr.graph(b) },
      [
        ...opts.carried.map((c) => ({ dtype: c.dtype, shape: c.shape })),
        ...scans.map((s) => ({ dtype: s.dtype, shape: [scanLen, ...s.shape] })),
      ],
    );
    loopOuts[0].producer!.subgraphs = [b];
    return { carried: loopOuts.slice(0, opts.carried.length), scans: loopOuts.slice(opts.carried.length) };
  }

  /** ONNX If: both branches must return values of equal dtypes and shapes. */
  ifElse(cond: Value, thenFn: (b: Graph) => Value[], elseFn: (b: Graph) => Value[]): Value[] {
    const tb = this.subgraph('then');
    const eb = this.subgraph('else');
    const to = thenFn(tb);
    const eo = elseFn(eb);
    if (to.length !== eo.length) throw new GraphError(GraphErrorCode.arg, `If: branches return ${to.length} vs ${eo.length} values`);
    to.forEach((t, i) => {
      const e = eo[i];
      if (t.dtype !== e.dtype || t.rank !== e.rank || t.shape.some((d, k) => d !== e.shape[k])) {
        throw new GraphError(GraphErrorCode.shape, `If: output ${i} differs: ${t} vs ${e}`);
      }
      tb.output(t);
      eb.output(e);
    });
    const outs = this.node('If', [cond], { then_branch: attr.graph(tb), else_branch: attr.graph(eb) }, to.map((t) => ({ dtype: t.dtype, shape: t.shape })));
    outs[0].producer!.subgraphs = [tb, eb];
    return outs;
  }

  // ---- serialization ------------------------------------------------------------------

  /** Every value read anywhere in this graph and its subgraphs (for the parent's liveness). */
  private reads(into: Set<Value>): void {
    for (const o of this.outputs) into.add(o);
    for (const n of this.nodes) {
      for (const i of n.inputs) if (i) into.add(i);
      for (const sg of n.subgraphs ?? []) sg.reads(into);
    }
  }

  /**
   * Dead-code elimination: the nodes that (transitively) feed an output, and the values they
   * read. Builders and autodiff leave dead nodes behind (e.g. a Transpose folded into Gemm).
   */
  private live(): { nodes: Node[]; used: Set<Value> } {
    const used = new Set<Value>(this.outputs);
    const keep: Node[] = [];
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const n = this.nodes[i];
      if (!n.outputs.some((o) => used.has(o))) continue;
      keep.push(n);
      for (const x of n.inputs) if (x) used.add(x);
      for (const sg of n.subgraphs ?? []) sg.reads(used);
    }
    return { nodes: keep.reverse(), used };
  }

  toRecord(): GraphRecord {
    const info = (v: Value) => ({ name: v.name, dtype: v.dtype, shape: v.shape });
    const { nodes: liveNodes, used } = this.live();
    const nodes: NodeRecord[] = liveNodes.map((n) => ({
      opType: n.op,
      domain: n.domain,
      name: n.name,
      inputs: n.inputs.map((i) => (i ? i.name : '')),
      outputs: n.outputs.map((o) => o.name),
      attrs: n.attrs,
    }));
    const initializers: TensorRecord[] = this.initializers.filter(({ value }) => used.has(value)).map(({ value, data }) => ({
      name: value.name,
      dtype: value.dtype,
      dims: value.shape as number[],
      raw: rawBytes(data),
    }));
    return { name: this.name, nodes, initializers, inputs: this.inputs.map(info), outputs: this.outputs.map(info) };
  }

  /** The model record; opset imports for every non-default domain used are added. */
  toModel(extraOpsets: ModelRecord['extraOpsets'] = []): ModelRecord {
    const opsets = [...extraOpsets];
    for (const d of this.root.domains) if (!opsets.some((o) => o.domain === d)) opsets.push({ domain: d, version: 1 });
    return { graph: this.toRecord(), extraOpsets: opsets };
  }

  /** ONNX protobuf bytes of this (root) graph. */
  serialize(extraOpsets?: ModelRecord['extraOpsets']): Uint8Array {
    if (this.parent) throw new GraphError(GraphErrorCode.arg, `serialize: '${this.name}' is a subgraph`);
    return encodeModel(this.toModel(extraOpsets));
  }
}

export function isFloat(v: Value): boolean {
  return FLOATS.includes(v.dtype);
}
