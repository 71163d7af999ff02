// Child-process entry of the JavaScript verifier (started by js-process.ts): one JsRunner,
// one program at a time, jobs and results over the IPC channel. It exists so that an isolate
// that aborts the process on an out-of-memory path (isolated-vm can) takes down this child,
// not the pool. Not a server of its own: it exits as soon as its parent goes away.
import { JsRunner } from './js-runner.ts';
import { CodeLimits } from './types.ts';
import type { ChildReply, ChildJob } from './js-process.ts';

const runner = new JsRunner(CodeLimits.parse(JSON.parse(process.argv[2] ?? '{}')));
const send = (m: ChildReply) => process.send?.(m);

process.on('message', (job: ChildJob) => {
  runner.run(job.code, job.tests).then(
    (result) => send({ id: job.id, result, isolatesCreated: runner.isolatesCreated }),
    (e: unknown) => send({ id: job.id, fault: e instanceof Error ? e.message : String(e), isolatesCreated: runner.isolatesCreated }),
  );
});
process.on('disconnect', () => process.exit(0));
send({ ready: true });
