// Busy CPU for a given CPU time: the stand-in for costly work (verification, a CPU-bound
// stage) in the demo flow, tests and benchmarks. Blocks the event loop on purpose.
//
// The amount is CPU time, not wall time: a process that shares its core takes longer, as
// real work would, where a wall-clock loop would do less work under contention. The clock is
// the process's CPU time (getrusage; Node 20 has no per-thread clock, and the kernel's
// per-thread schedstat moves only at scheduler ticks), so other busy threads of the same
// process shorten a burn; the actors that burn do nothing else meanwhile.
let sink = 0;

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export function burnCpu(ms: number): void {
  if (ms <= 0) return;
  const end = cpuMs() + ms;
  let x = sink | 1;
  do {
    for (let i = 0; i < 4096; i++) x = Math.imul(x, 1103515245) + 12345;
  } while (cpuMs() < end);
  sink = x;
}
