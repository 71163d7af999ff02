// Control commands to a running topology travel as ControlCommand messages (contracts/
// control.ts) stored in the run KV bucket: `desired.<actor>` holds the latest scale command
// of an actor, `control.down` a down command. The supervisor watches both keys. A host that
// joined the run (`ace up --join`) has keys of its own under `hosts.<host>.`: `desired.<actor>`
// for its instances, `down` to stop only it, `info` (what it runs, for status); it also obeys
// the run's `control.down`.
import { type ControlCommand as Command, ControlCommand } from '../contracts/control.ts';
import { formatIssues } from '../contracts/issues.ts';
import type { NatsConnection } from '@nats-io/transport-node';
import { listKeys, openKv } from '../streams/manager.ts';
import type { TopologyNames } from '../streams/topology.ts';

export const desiredKey = (actor: string) => `desired.${actor}`;
export const DOWN_KEY = 'control.down';

/** Host names as KV key tokens and instance id parts: lower case, digits and -. */
export const HOST_NAME_RE = /^[a-z0-9][a-z0-9-]{0,39}$/;

/** The keys one supervisor follows: the run's own (`host` null) or a joined host's. */
export interface ControlKeys {
  host: string | null;
  desired: (actor: string) => string;
  /** Watch pattern covering every `desired` key of this supervisor. */
  desiredPattern: string;
  /** Keys whose `down` command stops this supervisor. */
  down: string[];
}

export function controlKeys(host: string | null): ControlKeys {
  if (host === null) return { host, desired: desiredKey, desiredPattern: 'desired.>', down: [DOWN_KEY] };
  return { host, desired: (actor) => hostDesiredKey(host, actor), desiredPattern: `hosts.${host}.desired.>`, down: [DOWN_KEY, hostDownKey(host)] };
}

export const hostDesiredKey = (host: string, actor: string) => `hosts.${host}.desired.${actor}`;
export const hostDownKey = (host: string) => `hosts.${host}.down`;
export const hostInfoKey = (host: string) => `hosts.${host}.info`;

let seq = 0;

function envelope(runId: string): Omit<Command, 'command'> {
  return { kind: 'control', id: `control.${Date.now()}.${process.pid}.${seq++}`, runId, step: 0, policyVersion: 0, ts: Date.now() };
}

export function scaleCommand(runId: string, actor: string, instances: number): string {
  return JSON.stringify({ ...envelope(runId), command: { type: 'scale', actor, instances } } satisfies Command);
}

export function downCommand(runId: string): string {
  return JSON.stringify({ ...envelope(runId), command: { type: 'down' } } satisfies Command);
}

/** A stored command, or the reason it is not one (the supervisor logs and ignores those). */
export function parseCommand(text: string): { ok: true; command: Command } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: `not JSON: ${text.slice(0, 80)}` };
  }
  const parsed = ControlCommand.safeParse(raw);
  return parsed.success ? { ok: true, command: parsed.data } : { ok: false, reason: formatIssues(parsed.error.issues).join('; ') };
}

/** Instance count of a stored scale command, or null. */
export function scaleOf(text: string): number | null {
  const r = parseCommand(text);
  return r.ok && r.command.command.type === 'scale' ? r.command.command.instances : null;
}

/**
 * Instances of `actor` asked for over the run: its own host's count plus every joined host's,
 * or null when none is stored (a run started without a supervisor).
 */
export async function desiredTotal(nc: NatsConnection, names: TopologyNames, actor: string): Promise<number | null> {
  const kv = await openKv(nc, names.kv.run);
  let total: number | null = null;
  for (const key of [desiredKey(actor), ...(await listKeys(nc, names.kv.run, `hosts.*.desired.${actor}`))]) {
    const e = await kv.get(key);
    const n = e?.value.length ? scaleOf(e.string()) : null;
    if (n !== null) total = (total ?? 0) + n;
  }
  return total;
}
