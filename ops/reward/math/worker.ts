// The math verifier's worker thread: receives {id, input}, runs extraction and judgeMath,
// posts {id, judgement}. It has no deadline of its own; the pool terminates it on timeout.
import { parentPort } from 'node:worker_threads';
import { type MathVerifyInput, judgeInput, warmUp } from './judge.ts';

export type WorkerRequest = { id: number; input: MathVerifyInput };

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');
warmUp();
port.on('message', (msg: WorkerRequest) => {
  port.postMessage({ id: msg.id, judgement: judgeInput(msg.input) });
});
port.postMessage({ ready: true });
