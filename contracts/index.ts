// Every wire schema by name: what `ace contracts --json-schema` exports and the dead-letter
// path reports against.
import { ControlCommand } from './control.ts';
import { DemoItem } from './demo.ts';
import { Heartbeat } from './metrics.ts';
import { PolicyUpdate } from './policy.ts';
import { Rollout } from './rollout.ts';
import { ScoredGroup } from './scored.ts';
import { StepRecord } from './step.ts';
import { Task } from './task.ts';
import { Topology } from './topology.ts';
import { Verdict } from './verdict.ts';

export const SCHEMAS = {
  Task,
  Rollout,
  Verdict,
  ScoredGroup,
  PolicyUpdate,
  StepRecord,
  Heartbeat,
  ControlCommand,
  DemoItem,
  Topology,
} as const;
export type SchemaName = keyof typeof SCHEMAS;

export * from './common.ts';
export * from './control.ts';
export * from './demo.ts';
export * from './metrics.ts';
export * from './outcome.ts';
export * from './policy.ts';
export * from './rollout.ts';
export * from './scored.ts';
export * from './step.ts';
export * from './task.ts';
export * from './topology.ts';
export * from './verdict.ts';
