// Busy CPU for a given time: the stand-in for costly work (verification, a CPU-bound stage)
// in the demo flow, tests and benchmarks. Blocks the event loop on purpose.
export function burnCpu(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}
