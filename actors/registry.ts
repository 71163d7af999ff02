// Actor kinds -> their definitions, loaded on demand so a process pulls in only its own code.
import type { ActorKind } from '../contracts/topology.ts';
import type { ActorDefinition } from './runtime.ts';

// biome-ignore lint: the definitions differ in their config types.
type AnyActor = ActorDefinition<any>;

export const ACTORS: Record<ActorKind, () => Promise<AnyActor>> = {
  generator: async () => (await import('./generator/generator.ts')).generator,
  verifier: async () => (await import('./verifier/verifier.ts')).verifier,
  normalizer: async () => (await import('./normalizer/normalizer.ts')).normalizer,
  learner: async () => (await import('./learner/learner.ts')).learner,
  'demo-source': async () => (await import('./demo/source.ts')).demoSource,
  'demo-stage': async () => (await import('./demo/stage.ts')).demoStage,
};
