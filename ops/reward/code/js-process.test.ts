// JsProcessRunner: how a child that dies or hangs under a program becomes a verdict, and that
// the runner starts a fresh child for the next program. Aborts from real programs are in
// test/reward-code/hostile-js.test.ts; here the child is killed or stopped from outside.
import { afterAll, describe, expect, it } from 'vitest';
import { JsProcessRunner } from './js-process.ts';
import { CodeLimits, CodeTests } from './types.ts';

const stdio = (output: string) => CodeTests.parse({ format: 'stdio', cases: [{ input: '', output }] });
const limits = CodeLimits.parse({ perTestMs: 500, totalMs: 500, jsMemoryMb: 32 });

describe('JsProcessRunner', () => {
  const runner = new JsProcessRunner(limits);
  afterAll(() => runner.close());

  it('runs programs in one long-lived child', async () => {
    await runner.warmUp();
    const pid = runner.pid;
    expect(await runner.run('console.log(1)', stdio('1'))).toEqual({ passed: 1, total: 1, firstFailure: null });
    expect(await runner.run('console.log(2)', stdio('2'))).toEqual({ passed: 1, total: 1, firstFailure: null });
    expect(runner.pid).toBe(pid);
    expect(runner.launches).toBe(1);
  });

  it('answers error (unscorable) when the child is killed for a reason it cannot attribute, then serves again', async () => {
    const run = runner.run('while (true) {}', stdio(''));
    await new Promise((r) => setTimeout(r, 100));
    process.kill(runner.pid as number, 'SIGKILL');
    const r = await run;
    expect(r.firstFailure).toBeNull();
    expect(r.infraError).toMatchObject({ kind: 'error', reason: expect.stringMatching(/^JavaScript verifier process died \(SIGKILL\)/) });
    expect(runner.crashes).toBe(1);
    expect(await runner.run('console.log(3)', stdio('3'))).toEqual({ passed: 1, total: 1, firstFailure: null });
    expect(runner.launches).toBe(2);
  });

  it('kills a child that stops answering and reports the time limit', async () => {
    const run = runner.run('console.log(4)', stdio('4'));
    process.kill(runner.pid as number, 'SIGSTOP');
    const r = await run; // watchdog: totalMs + 3 s grace
    expect(r.firstFailure).toMatchObject({ test: 0, reason: 'time_limit' });
    expect(await runner.run('console.log(5)', stdio('5'))).toEqual({ passed: 1, total: 1, firstFailure: null });
    expect(runner.launches).toBe(3);
  });

  it('reports an isolate abort as the memory limit', async () => {
    const r = await runner.run('new Array(1e8).fill(0);', stdio(''));
    expect(r.firstFailure).toMatchObject({ test: 0, reason: 'memory_limit', detail: expect.stringMatching(/aborted \(SIGABRT\)/) });
    expect(runner.crashes).toBe(2);
  });

  it('answers error after close', async () => {
    await runner.close();
    expect((await runner.run('console.log(1)', stdio('1'))).infraError).toEqual({ kind: 'error', reason: 'verifier closed' });
  });
});
