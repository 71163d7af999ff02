import { z } from 'zod';
import type { Topology } from '../../contracts/topology.ts';
import { LearnerConfig } from '../learner/config.ts';

export const GeneratorConfig = z.strictObject({
  /** ORT intra-op threads. Default 2 (this machine's cores). */
  threads: z.int().min(1).default(2),
  /** Let idle ORT threads busy-wait; off by default, as actors share the machine's cores. */
  spinWait: z.boolean().default(false),
  /** Tasks sampled together in one batch (each G rows). Default 8. */
  tasksPerBatch: z.int().min(1).max(1024).default(8),
  /** How long to wait for a batch to fill before sampling what is there, ms. Default 100. */
  lingerMs: z.int().min(0).default(100),
  /** Sampling temperature for training rollouts (the paper samples at 1.0). Default 1. */
  temperature: z.number().min(0).default(1),
  /** Nucleus mass for training rollouts. Default 1 (off). */
  topP: z.number().gt(0).max(1).default(1),
  /** Redelivery of a task whose generator died, ms. Default 120 s. */
  ackWaitMs: z.int().min(100).default(120_000),
  /**
   * The model directory whose tokenizer files (tokenizer.json, tokenizer_config.json, the chat
   * template) turn tasks into prompts and samples into replies (ops/recipe/template.ts
   * loadPromptFormat). Default: the base of the topology's learner; a directory without
   * tokenizer.json gives the embedded byte-level format. `ace train --base DIR` sets it to DIR.
   */
  tokenizer: z.string().min(1).optional(),
});
export type GeneratorConfig = z.infer<typeof GeneratorConfig>;

/**
 * The model directory whose tokenizer and chat template a run's prompts use, for every actor
 * that tokenizes them (the generators sample with it, the learner sizes its context checks and
 * shared prefix with it and copies its tokenizer files into each step checkpoint): the
 * generators' `tokenizer`, else the learner's `base`, else null (no learner: the embedded
 * byte-level format). Configs are read as their schemas parse them.
 */
export function promptFormatDir(topology: Pick<Topology, 'actors'>): string | null {
  const specs = Object.values(topology.actors);
  for (const s of specs) {
    if (s.kind !== 'generator') continue;
    const tokenizer = GeneratorConfig.parse(s.config).tokenizer;
    if (tokenizer !== undefined) return tokenizer;
  }
  const learner = specs.find((s) => s.kind === 'learner');
  return learner ? LearnerConfig.parse(learner.config).base : null;
}
