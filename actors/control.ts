// Control commands to a running topology travel as ControlCommand messages (contracts/
// control.ts) stored in the run KV bucket: `desired.<actor>` holds the latest scale command
// of an actor, `control.down` a down command. The supervisor watches both keys.
import { type ControlCommand as Command, ControlCommand } from '../contracts/control.ts';
import { formatIssues } from '../contracts/issues.ts';

export const desiredKey = (actor: string) => `desired.${actor}`;
export const DOWN_KEY = 'control.down';

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
