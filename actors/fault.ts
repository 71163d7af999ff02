// Fault injection for recovery tests: ACE_FAULT=<point>@<step> makes the actor SIGKILL itself
// when it reaches that point of that step, once per run (ACE_FAULT_MARKER names a file that
// records the kill so the restarted incarnation goes on). Unset, this is a no-op.
import { existsSync, writeFileSync } from 'node:fs';

export type FaultPoint = 'learner-after-announce';

export function faultPoint(point: FaultPoint, step: number): void {
  if (process.env.ACE_FAULT !== `${point}@${step}`) return;
  const marker = process.env.ACE_FAULT_MARKER;
  if (!marker) throw new Error('ACE_FAULT needs ACE_FAULT_MARKER (a file path) so the fault fires once');
  if (existsSync(marker)) return;
  writeFileSync(marker, `${point}@${step} pid ${process.pid}\n`);
  process.kill(process.pid, 'SIGKILL');
}
