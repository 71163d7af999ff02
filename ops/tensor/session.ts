// onnxruntime-node sessions from builder graphs, and typed-array <-> ort.Tensor plumbing.
// One place for session options (threads, optimization level) so every graph runs alike.
// Not a cache or a scheduler: callers keep the sessions they build.
import * as ort from 'onnxruntime-node';
import type { Graph } from './graph.ts';

export { ort };

export interface SessionOptions {
  /** Threads for one op (ORT intra-op pool); default 1. */
  intraOpNumThreads?: number;
  /**
   * Whether idle intra-op threads busy-wait for the next parallel section (ORT's default,
   * true: lowest latency when the process has the cores to itself). False lets them sleep,
   * leaving the cores to other processes, as actors sharing a machine need.
   */
  spinWait?: boolean;
  /** ORT graph optimization level; default 'all' (enables MatMul+Transpose fusion). */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}

/** Creates an ORT session for a root graph (or already-serialized ONNX bytes). */
export async function createSession(graph: Graph | Uint8Array, opts: SessionOptions = {}): Promise<ort.InferenceSession> {
  const bytes = graph instanceof Uint8Array ? graph : graph.serialize();
  return ort.InferenceSession.create(bytes, {
    intraOpNumThreads: opts.intraOpNumThreads ?? 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: opts.graphOptimizationLevel ?? 'all',
    ...(opts.spinWait === false ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
  });
}

export type HostArray = Float32Array | Int32Array | BigInt64Array | Uint8Array;

/** Wraps a typed array as an ort.Tensor (Uint8Array is taken as bool). */
export function tensor(data: HostArray, dims: readonly number[]): ort.Tensor {
  if (data instanceof Float32Array) return new ort.Tensor('float32', data, dims);
  if (data instanceof Int32Array) return new ort.Tensor('int32', data, dims);
  if (data instanceof BigInt64Array) return new ort.Tensor('int64', data, dims);
  return new ort.Tensor('bool', data, dims);
}

/** int64 tensor from plain numbers. */
export function int64Tensor(values: ArrayLike<number>, dims: readonly number[]): ort.Tensor {
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = BigInt(values[i]);
  return new ort.Tensor('int64', out, dims);
}

/** Runs a session and returns the named outputs as ort.Tensors. */
export async function runSession(
  session: ort.InferenceSession,
  feeds: Record<string, ort.Tensor>,
): Promise<Record<string, ort.Tensor>> {
  return (await session.run(feeds)) as Record<string, ort.Tensor>;
}
