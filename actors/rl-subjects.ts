// Subjects of the RL loop's messages, in one place: every actor and tool builds them here.
//   prompts   <prefix>.prompts.<runId>.<step>
//   rollouts  <prefix>.rollouts.<runId>.<step>.<groupId>
//   verdicts  <prefix>.verdicts.<runId>.<step>.<groupId>
//   scored    <prefix>.scored.<runId>.<step>
//   policy    <prefix>.policy.<runId>.v<version>
//   steps     <prefix>.steps.<runId>
import { subject, type TopologyNames } from '../streams/topology.ts';

export const rlSubjects = (names: TopologyNames, runId: string) => ({
  prompts: (step: number) => subject(names.prefix, 'prompts', runId, String(step)),
  rollouts: (step: number, groupId: string) => subject(names.prefix, 'rollouts', runId, String(step), groupId),
  verdicts: (step: number, groupId: string) => subject(names.prefix, 'verdicts', runId, String(step), groupId),
  scored: (step: number) => subject(names.prefix, 'scored', runId, String(step)),
  policy: (version: number) => subject(names.prefix, 'policy', runId, `v${version}`),
  steps: () => subject(names.prefix, 'steps', runId),
  all: (key: 'prompts' | 'rollouts' | 'verdicts' | 'scored') => subject(names.prefix, key, runId, '>'),
});
