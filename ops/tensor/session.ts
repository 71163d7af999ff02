// onnxruntime-node sessions from builder graphs, and typed-array <-> ort.Tensor plumbing.
// One place for session options (threads, optimization level, execution provider) so every
// graph runs alike. Not a cache or a scheduler: callers keep the sessions they build.
//
// Execution providers: 'cpu' (bundled in the npm package) or 'cuda'. The CUDA provider is
// not in the npm tarball: onnxruntime-node's install script downloads its libraries
// (libonnxruntime_providers_{cuda,shared}.so, linux/x64, CUDA 12 + cuDNN 9) unless
// ONNXRUNTIME_NODE_INSTALL=skip. The binding lists 'cuda' among its backends either way
// (listSupportedBackends() says bundled: false), so whether it works is found out by
// creating a trivial session with it (checkExecutionProvider), once per process.
import * as ort from 'onnxruntime-node';
import { z } from 'zod';
import { CodedError } from '../errors.ts';
import { Graph } from './graph.ts';

export { ort };

/** The ORT execution providers the engine can ask for. */
export const EXECUTION_PROVIDERS = ['cpu', 'cuda'] as const;
export const ExecutionProvider = z.enum(EXECUTION_PROVIDERS);
export type ExecutionProvider = z.infer<typeof ExecutionProvider>;

export class ExecutionProviderError extends CodedError<'EP_UNAVAILABLE'> {
  constructor(
    readonly provider: ExecutionProvider,
    message: string,
  ) {
    super('EP_UNAVAILABLE', message);
  }
}

const EP_HINT: Record<ExecutionProvider, string> = {
  cpu: 'the CPU provider is bundled with onnxruntime-node; reinstall it (npm ci)',
  cuda:
    'the installed onnxruntime-node has no working CUDA provider. On linux/x64 with an NVIDIA driver, CUDA 12.x and cuDNN 9.x ' +
    '(their libraries on LD_LIBRARY_PATH), fetch the provider libraries with `ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node` ' +
    '(this project installs with ONNXRUNTIME_NODE_INSTALL=skip, the CPU build); or use executionProvider cpu',
};

const probes = new Map<ExecutionProvider, Promise<void>>();

/**
 * Resolves when sessions can be created on `provider` in this process; otherwise rejects with
 * an ExecutionProviderError naming ORT's reason and how to install the provider. Probed once
 * per provider (a one-Add graph), then remembered.
 */
export function checkExecutionProvider(provider: ExecutionProvider): Promise<void> {
  let p = probes.get(provider);
  if (!p) {
    p = (async () => {
      const g = new Graph('ep_probe');
      g.output(g.add(g.input('x', 'float32', [1]), g.input('y', 'float32', [1])), 'z');
      let session: ort.InferenceSession;
      try {
        session = await ort.InferenceSession.create(g.serialize(), { executionProviders: [provider], logSeverityLevel: 4 });
      } catch (e) {
        const why = (e instanceof Error ? e.message : String(e)).split('\n')[0];
        throw new ExecutionProviderError(provider, `execution provider '${provider}' is not available in onnxruntime-node ${ort.env.versions.node ?? ''} (${why})\nHINT: ${EP_HINT[provider]}`);
      }
      await session.release();
    })();
    probes.set(provider, p);
  }
  return p;
}

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
  /**
   * Where the graph runs (default 'cpu'). 'cuda' is checked first (checkExecutionProvider:
   * an ExecutionProviderError when the installed onnxruntime-node cannot run it); nodes the
   * CUDA provider lacks fall back to the CPU, and inputs and outputs stay host tensors.
   */
  executionProvider?: ExecutionProvider;
  /**
   * ORT's CPU memory arena (default true: freed blocks are kept for the next run). False
   * returns them to the allocator, which lowers the peak of large graphs (the learner at
   * 0.5B parameters: bench/learner.ts --config) at the price of fresh pages every run.
   */
  cpuMemArena?: boolean;
}

/** Creates an ORT session for a root graph (or already-serialized ONNX bytes). */
export async function createSession(graph: Graph | Uint8Array, opts: SessionOptions = {}): Promise<ort.InferenceSession> {
  const provider = opts.executionProvider ?? 'cpu';
  if (provider !== 'cpu') await checkExecutionProvider(provider);
  const bytes = graph instanceof Uint8Array ? graph : graph.serialize();
  return ort.InferenceSession.create(bytes, {
    intraOpNumThreads: opts.intraOpNumThreads ?? 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: opts.graphOptimizationLevel ?? 'all',
    ...(provider === 'cpu' ? {} : { executionProviders: [provider, 'cpu'] }),
    ...(opts.cpuMemArena === false ? { enableCpuMemArena: false } : {}),
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
