// Subjects of the RL loop's messages, in one place: every actor and tool builds them here.
//   prompts   <prefix>.prompts.<runId>.<step>
//   rollouts  <prefix>.rollouts.<runId>.<domain>.<step>.<groupId>  (a verifier role filters on domain)
//   verdicts  <prefix>.verdicts.<runId>.<step>.<groupId>
//   scored    <prefix>.scored.<runId>.<step>
//   policy    <prefix>.policy.<runId>.v<version>
//   steps     <prefix>.steps.<runId>
import type { Domain } from '../contracts/common.ts';
import { subject, type TopologyNames } from '../streams/topology.ts';

export const rlSubjects = (names: TopologyNames, runId: string) => ({
  prompts: (step: number) => subject(names.prefix, 'prompts', runId, String(step)),
  rollouts: (domain: Domain, step: number, groupId: string) => subject(names.prefix, 'rollouts', runId, domain, String(step), groupId),
  /** Every rollout of one domain. */
  rolloutsOf: (domain: Domain) => subject(names.prefix, 'rollouts', runId, domain, '>'),
  verdicts: (step: number, groupId: string) => subject(names.prefix, 'verdicts', runId, String(step), groupId),
  scored: (step: number) => subject(names.prefix, 'scored', runId, String(step)),
  policy: (version: number) => subject(names.prefix, 'policy', runId, `v${version}`),
  steps: () => subject(names.prefix, 'steps', runId),
  all: (key: 'prompts' | 'rollouts' | 'verdicts' | 'scored') => subject(names.prefix, key, runId, '>'),
});
