// Fault and load injection for tests and benches, set only through the environment of the
// process that starts the actors (the supervisor passes its environment on), so that no
// production config carries a test knob. Unset, every hook here is a no-op.
// - ACE_FAULT=<point>@<step>: the actor SIGKILLs itself when it reaches that point of that
//   step, once per run (ACE_FAULT_MARKER names a file that records the kill so the restarted
//   incarnation goes on).
// - ACE_INJECT='{"verifier":{"slowFactor":10,"burnMsPerRollout":12}}': a slower or costlier
//   verifier (the Injection schema below), read once when the actor starts.
import { existsSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { formatIssues } from '../contracts/issues.ts';
import { CodedError } from '../ops/errors.ts';
import { burnCpu } from './burn.ts';

export type FaultPoint = 'learner-after-announce';

export function faultPoint(point: FaultPoint, step: number): void {
  if (process.env.ACE_FAULT !== `${point}@${step}`) return;
  const marker = process.env.ACE_FAULT_MARKER;
  if (!marker) throw new Error('ACE_FAULT needs ACE_FAULT_MARKER (a file path) so the fault fires once');
  if (existsSync(marker)) return;
  writeFileSync(marker, `${point}@${step} pid ${process.pid}\n`);
  process.kill(process.pid, 'SIGKILL');
}

export const INJECT_ENV = 'ACE_INJECT';

export const Injection = z.strictObject({
  verifier: z
    .strictObject({
      /**
       * Each judgement takes this many times as long (the extra time is spent waiting), to
       * study backpressure with a slow verifier. Default 1.
       */
      slowFactor: z.number().min(1).max(1000).default(1),
      /**
       * CPU time burnt per rollout on top of the reward, ms, to stand in for costly
       * verification (running code against many tests). Default 0.
       */
      burnMsPerRollout: z.number().min(0).max(60_000).default(0),
    })
    .optional(),
});
export type Injection = z.infer<typeof Injection>;
export type InjectionInput = z.input<typeof Injection>;

export class InjectionError extends CodedError<'BAD_INJECTION'> {}

/** The injection in `env` (validated), or null when ACE_INJECT is unset or empty. */
export function readInjection(env: NodeJS.ProcessEnv = process.env): Injection | null {
  const raw = env[INJECT_ENV];
  if (!raw) return null;
  const fail = (why: string) =>
    new InjectionError('BAD_INJECTION', `${INJECT_ENV}=${raw} (from the environment): ${why}\nHINT: unset it, or set e.g. ${INJECT_ENV}='{"verifier":{"slowFactor":10}}'`);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw fail(`not JSON: ${(err as Error).message}`);
  }
  const parsed = Injection.safeParse(json);
  if (!parsed.success) throw fail(formatIssues(parsed.error.issues).join('; '));
  return parsed.data;
}

/** The environment entry that injects `i` into actors started with it. */
export function injectionEnv(i: InjectionInput): Record<string, string> {
  return { [INJECT_ENV]: JSON.stringify(Injection.parse(i)) };
}

/** Wraps one unit of an actor's work (a judgement); the identity when nothing is injected. */
export type InjectionHook = <T>(work: () => Promise<T>) => Promise<T>;

const none: InjectionHook = (work) => work();

/** The verifier's hook: burn CPU after each judgement, then stretch it by slowFactor. */
export function verifierHook(i: Injection | null): InjectionHook {
  const v = i?.verifier;
  if (!v || (v.slowFactor === 1 && v.burnMsPerRollout === 0)) return none;
  return async (work) => {
    const t0 = performance.now();
    const result = await work();
    burnCpu(v.burnMsPerRollout);
    const elapsedMs = performance.now() - t0;
    if (v.slowFactor > 1) await new Promise((res) => setTimeout(res, elapsedMs * (v.slowFactor - 1)));
    return result;
  };
}
