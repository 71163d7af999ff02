// How CLI commands find a running topology: `--nats URL --prefix P`, or the state file that
// `ace up` writes (`<state-dir>/up.json`, default ./.ace), and the flags that select it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats } from '../streams/manager.ts';
import { type TopologyNames, topologyNames } from '../streams/topology.ts';
import { StreamLimits } from '../contracts/topology.ts';
import { CodedError } from '../ops/errors.ts';
import { z } from 'zod';
import type { FlagSpec } from './command.ts';

export interface UpState {
  natsUrl: string;
  prefix: string;
  topologyPath: string;
  runId: string;
  pid: number;
  embedded: boolean;
  startedAt: number;
}

export class CliError extends CodedError<string> {}

/** The flags every command that talks to a running topology takes. */
export const SESSION_FLAGS = {
  nats: { schema: z.string().optional(), help: 'NATS URL of a running topology (default: the one in <state-dir>/up.json)', value: 'URL' },
  prefix: { schema: z.string().optional(), help: "the topology's subject prefix (default: from up.json, else 'ace')", value: 'P' },
  'state-dir': { schema: z.string().default('.ace'), help: 'where `ace up` keeps its state file up.json', value: 'DIR' },
} as const satisfies Record<string, FlagSpec>;

export const JSON_FLAG = { json: { schema: z.boolean().default(false), help: 'print one JSON object instead of text' } } as const satisfies Record<string, FlagSpec>;

export function readUpState(stateDir: string): UpState | null {
  const p = join(stateDir, 'up.json');
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as UpState) : null;
}

export interface Session {
  nc: NatsConnection;
  names: TopologyNames;
  state: UpState | null;
}

export async function openSession(values: { nats?: string; prefix?: string; 'state-dir'?: string }, name: string): Promise<Session> {
  const state = readUpState(values['state-dir'] ?? '.ace');
  const url = values.nats ?? state?.natsUrl;
  if (!url) {
    throw new CliError('NO_TOPOLOGY', `no running topology found in ${values['state-dir'] ?? '.ace'}/up.json\nHINT: start one with \`ace up TOPOLOGY\`, or pass --nats URL --prefix P`);
  }
  const prefix = values.prefix ?? state?.prefix ?? 'ace';
  const nc = await connectNats(url, name).catch((err) => {
    throw new CliError('NATS_UNREACHABLE', `cannot connect to ${url}: ${(err as Error).message}\nHINT: is \`ace up\` still running?`);
  });
  return { nc, names: topologyNames(prefix, StreamLimits.parse({})), state };
}
