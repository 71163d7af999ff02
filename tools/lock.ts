// One owner per state or run directory: `<dir>/ace.lock`, created atomically (link(2) of a
// complete file, which fails when one exists), holding the owner's pid and process start time
// (field 22 of /proc/PID/stat, so a reused pid is not taken for the owner) and, once started,
// its embedded nats-server's. A lock whose owner is gone is stale and taken over, unless the
// server it records still runs on the directory's store. Linux only (/proc), as is setpriv.
// Not a lock for readers: `ace status` and friends never take it.
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodedError } from '../ops/errors.ts';

export class LockError extends CodedError<'LOCKED' | 'STORE_IN_USE'> {}

/** A process as the kernel tells it apart: its pid and start time (clock ticks after boot). */
export interface ProcessId {
  pid: number;
  startTime: number;
}

export interface LockRecord {
  owner: ProcessId & { command: string; since: string };
  /** The embedded nats-server serving `<dir>/nats`, once started. */
  server?: ProcessId;
}

export const LOCK_FILE = 'ace.lock';

/** Start time of a live process, or null when it is gone (a zombie is gone). */
export function processStartTime(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Fields after the command name, which is in parentheses and may hold spaces: state is
  // field 3, starttime field 22.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[0] === 'Z' || fields[0] === 'X' ? null : Number(fields[19]);
}

export function isAlive(p: ProcessId): boolean {
  return processStartTime(p.pid) === p.startTime;
}

export function processId(pid: number): ProcessId {
  const startTime = processStartTime(pid);
  if (startTime === null) throw new Error(`process ${pid} is gone`);
  return { pid, startTime };
}

export function readLock(dir: string): LockRecord | null {
  try {
    return JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as LockRecord;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export interface DirLock {
  dir: string;
  /** Records the embedded server, so that a later owner never starts a second one on the store. */
  recordServer(pid: number): void;
  /** Removes the lock if it is still this process's (done at exit at the latest). */
  release(): void;
}

/**
 * Takes `<dir>/ace.lock` for this process (the directory must exist). A live owner, or a gone
 * owner whose server still runs, is refused with a LockError naming the pid to stop; `shownDir`
 * is the directory as the user gave it, for the HINT.
 */
export function acquireLock(dir: string, command: string, shownDir = dir): DirLock {
  const path = join(dir, LOCK_FILE);
  const me: LockRecord = { owner: { ...processId(process.pid), command, since: new Date().toISOString() } };
  const write = (record: LockRecord, to: string) => writeFileSync(to, `${JSON.stringify(record)}\n`);
  const tmp = `${path}.${process.pid}`;
  for (;;) {
    write(me, tmp);
    try {
      linkSync(tmp, path);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(tmp);
    }
    let held: LockRecord;
    try {
      held = JSON.parse(readFileSync(path, 'utf8')) as LockRecord;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
      throw err;
    }
    const { owner, server } = held;
    if (isAlive(owner)) {
      throw new LockError(
        'LOCKED',
        `${dir} is in use by \`ace ${owner.command}\` (pid ${owner.pid}, since ${owner.since})\nHINT: \`ace down --state-dir ${shownDir}\` or kill ${owner.pid}`,
      );
    }
    if (server && isAlive(server)) {
      throw new LockError(
        'STORE_IN_USE',
        `${join(dir, 'nats')} is still served by nats-server pid ${server.pid}, left by \`ace ${owner.command}\` (pid ${owner.pid}, gone)\nHINT: kill ${server.pid}, then run again`,
      );
    }
    // Stale: its owner and server are gone. (Two commands taking over one stale lock in the
    // same instant could both succeed; nothing here orders them.)
    try {
      unlinkSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  let record = me;
  const release = () => {
    process.off('exit', release);
    const held = readLock(dir);
    if (held && held.owner.pid === me.owner.pid && held.owner.startTime === me.owner.startTime) unlinkSync(path);
  };
  // Held for the life of the process at most, however its command ends.
  process.on('exit', release);
  return {
    dir,
    recordServer(pid) {
      record = { ...record, server: processId(pid) };
      write(record, tmp);
      renameSync(tmp, path);
    },
    release,
  };
}
