// Types of bin/dist.mjs (the precompiled build of the CLI) for the TypeScript that imports it.
export type DistState = { ok: true; entry: string } | { ok: false; reason: string };
/** Whether `dist` (default: dist/ of the repository) holds a build of `root`'s current sources. */
export function freshDist(root?: string, dist?: string): DistState;
/** Builds `root`'s sources into `dist` (default: dist/ of the repository), replacing what is there. */
export function buildDist(root?: string, dist?: string): Promise<{ files: number; ms: number }>;
