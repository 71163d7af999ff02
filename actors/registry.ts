// Actor kinds -> their definitions, loaded on demand so a process pulls in only its own code.
import type { ActorKind } from '../contracts/topology.ts';
import type { ActorDefinition } from './runtime.ts';

// biome-ignore lint: the definitions differ in their config types.
type AnyActor = ActorDefinition<any>;

export const ACTORS: Record<ActorKind, () => Promise<AnyActor>> = {
  'demo-source': async () => (await import('./demo/source.ts')).demoSource,
  'demo-stage': async () => (await import('./demo/stage.ts')).demoStage,
};
