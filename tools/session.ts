// How CLI commands find a running topology: `--nats URL --prefix P`, or the state file that
// `ace up` writes (`<state-dir>/up.json`, default ./.ace). Also shared argument parsing.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats } from '../streams/manager.ts';
import { type TopologyNames, topologyNames } from '../streams/topology.ts';
import { StreamLimits } from '../contracts/topology.ts';
import { CodedError } from '../ops/errors.ts';

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

export const SESSION_OPTIONS = {
  nats: { type: 'string' },
  prefix: { type: 'string' },
  'state-dir': { type: 'string', default: '.ace' },
  json: { type: 'boolean', default: false },
} as const satisfies ParseArgsConfig['options'];

export function args<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError('BAD_ARGS', (err as Error).message);
  }
}

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

/** Runs a command body, printing CliError/known errors as one message and an exit code. */
export async function cli(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code) {
      process.stderr.write(`ace: ${e.message}\n`);
      return 2;
    }
    throw err;
  }
}
