// ONNX ModelProto encoder: plain TypeScript records for the messages we emit, written field
// by field (numbers from onnx/onnx.proto) with the protobuf writer. Encoding only: graphs are
// produced by graph.ts, run by onnxruntime-node, and never parsed back here.
import { PbWriter } from './protobuf.ts';

/** Opset of the default ONNX domain we target; ORT 1.30 runs it. Reduce* take axes as inputs. */
export const OPSET = 18;
/** IR version matching opset 18. */
export const IR_VERSION = 8;

/** TensorProto.DataType numbers. */
export const ONNX_DTYPE = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
  bfloat16: 16,
} as const;
export type DType = keyof typeof ONNX_DTYPE;

export type Dim = number | string;

export interface TensorRecord {
  name: string;
  dtype: DType;
  dims: readonly number[];
  /** Little-endian raw bytes (raw_data). */
  raw: Uint8Array;
}

export interface ValueInfoRecord {
  name: string;
  dtype: DType;
  shape: readonly Dim[];
}

export type AttrValue =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: TensorRecord }
  | { kind: 'graph'; value: GraphRecord }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'ints'; value: readonly number[] };

export interface NodeRecord {
  opType: string;
  domain?: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attrs: Readonly<Record<string, AttrValue>>;
}

export interface GraphRecord {
  name: string;
  nodes: readonly NodeRecord[];
  initializers: readonly TensorRecord[];
  inputs: readonly ValueInfoRecord[];
  outputs: readonly ValueInfoRecord[];
}

export interface ModelRecord {
  graph: GraphRecord;
  /** Extra opset imports, e.g. { domain: 'com.microsoft', version: 1 }. */
  extraOpsets?: readonly { domain: string; version: number }[];
  producer?: string;
}

const ATTR_TYPE = { float: 1, int: 2, string: 3, tensor: 4, graph: 5, floats: 6, ints: 7 } as const;

function writeTensor(w: PbWriter, t: TensorRecord): void {
  if (t.dims.length > 0) w.packedInt64(1, t.dims); // dims
  w.int64(2, ONNX_DTYPE[t.dtype]); // data_type
  w.string(8, t.name); // name
  w.bytes(9, t.raw); // raw_data
}

function writeValueInfo(w: PbWriter, v: ValueInfoRecord): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    // TypeProto.tensor_type
    type.message(1, (tt) => {
      tt.int64(1, ONNX_DTYPE[v.dtype]); // elem_type
      tt.message(2, (shape) => {
        for (const d of v.shape) {
          shape.message(1, (dim) => {
            if (typeof d === 'number') dim.int64(1, d); // dim_value
            else dim.string(2, d); // dim_param
          });
        }
      });
    }),
  );
}

function writeAttr(w: PbWriter, name: string, a: AttrValue): void {
  w.string(1, name);
  w.int64(20, ATTR_TYPE[a.kind]);
  switch (a.kind) {
    case 'float':
      w.float32(2, a.value);
      break;
    case 'int':
      w.int64(3, a.value);
      break;
    case 'string':
      w.string(4, a.value);
      break;
    case 'tensor':
      w.message(5, (t) => writeTensor(t, a.value));
      break;
    case 'graph':
      w.message(6, (g) => writeGraph(g, a.value));
      break;
    case 'floats':
      w.packedFloat32(7, a.value);
      break;
    case 'ints':
      w.packedInt64(8, a.value);
      break;
  }
}

function writeNode(w: PbWriter, n: NodeRecord): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.opType);
  for (const [k, a] of Object.entries(n.attrs)) w.message(5, (aw) => writeAttr(aw, k, a));
  if (n.domain) w.string(7, n.domain);
}

export function writeGraph(w: PbWriter, g: GraphRecord): void {
  for (const n of g.nodes) w.message(1, (nw) => writeNode(nw, n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, (tw) => writeTensor(tw, t));
  for (const v of g.inputs) w.message(11, (vw) => writeValueInfo(vw, v));
  for (const v of g.outputs) w.message(12, (vw) => writeValueInfo(vw, v));
}

/** Serialize a model to ONNX protobuf bytes. */
export function encodeModel(m: ModelRecord): Uint8Array {
  const w = new PbWriter();
  w.int64(1, IR_VERSION); // ir_version
  w.string(2, m.producer ?? 'ace-stream'); // producer_name
  w.message(7, (g) => writeGraph(g, m.graph)); // graph
  w.message(8, (o) => {
    o.string(1, '');
    o.int64(2, OPSET);
  });
  for (const op of m.extraOpsets ?? []) {
    w.message(8, (o) => {
      o.string(1, op.domain);
      o.int64(2, op.version);
    });
  }
  return w.finish();
}

/** Bytes of a typed array as little-endian raw_data (the host is little-endian on x86/arm). */
export function rawBytes(data: Float32Array | Int32Array | BigInt64Array | Uint8Array | Uint16Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
