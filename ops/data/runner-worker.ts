// Child process behind ProcessCodeRunner: runs programs through the code verifier pool and
// answers over IPC. Lives in its own process because a hostile mutant (an unbounded
// allocation loop) can take down the host of an isolate, not just the isolate.
import { PoolCodeRunner } from './verifiers.ts';

type Request = { id: number; language: string; code: string; tests: unknown };

const perTestMs = Number(process.env.ACE_CURATE_PER_TEST_MS ?? 1000);
const runner = new PoolCodeRunner({ jsWorkers: 1, pyWorkers: 1, perTestMs, totalMs: Math.max(perTestMs, 5 * perTestMs) });
process.on('message', (msg: Request) => {
  void runner.run(msg).then((verdict) => process.send!({ id: msg.id, verdict }));
});
process.on('disconnect', () => {
  void runner.close().then(() => process.exit(0));
});
process.send!({ ready: true });
