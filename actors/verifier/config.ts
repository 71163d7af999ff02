import { z } from 'zod';
import { Domain } from '../../contracts/common.ts';
import type { Topology } from '../../contracts/topology.ts';
import { JudgeSettings } from '../../ops/reward/judge.ts';

export const VerifierConfig = z.strictObject({
  /** The judge's pools: math workers and deadline, code workers (ops/reward/judge.ts). */
  ...JudgeSettings.shape,
  /**
   * Rollout domains this actor judges, through a durable consumer named after the actor:
   * `math-verifier` with ['math'] and `code-verifier` with ['code'] scale apart. Verifier
   * actors of one topology must not overlap (tools/topology-file.ts). Default both.
   */
  domains: z
    .array(Domain)
    .min(1)
    .refine((d) => new Set(d).size === d.length, 'each domain once')
    .default(['math', 'code']),
  /** Rollouts judged at once by this instance. Default 16. */
  concurrency: z.int().min(1).max(4096).default(16),
  /** Redelivery of a rollout whose verifier died before acking, ms. Default 30 s. */
  ackWaitMs: z.int().min(100).default(30_000),
});
export type VerifierConfig = z.infer<typeof VerifierConfig>;

/**
 * The durable consumers of a topology's verifier actors on the rollouts stream: one per actor,
 * named after it, shared by its instances (the generator's window sums their counts).
 */
export function verifierDurables(t: Pick<Topology, 'actors'>): string[] {
  return Object.entries(t.actors)
    .filter(([, spec]) => spec.kind === 'verifier')
    .map(([name]) => name);
}
