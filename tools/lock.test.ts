import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLock, LOCK_FILE, LockError, type LockRecord, processId, processStartTime, readLock } from './lock.ts';

const fresh = () => mkdtempSync(join(tmpdir(), 'ace-lock-'));
/** A pid that was just used and is gone. */
const deadPid = () => spawnSync('true').pid!;
const writeLock = (dir: string, record: LockRecord) => writeFileSync(join(dir, LOCK_FILE), JSON.stringify(record));
const refusal = (fn: () => unknown): LockError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof LockError) return err;
    throw err;
  }
  throw new Error('not refused');
};

const sleepers: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const s of sleepers.splice(0)) s.kill('SIGKILL');
});

describe('the state directory lock', () => {
  it('records its owner and is released on request', () => {
    const dir = fresh();
    const lock = acquireLock(dir, 'up');
    expect(readLock(dir)?.owner).toMatchObject({ pid: process.pid, startTime: processStartTime(process.pid), command: 'up' });
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    acquireLock(dir, 'up').release();
  });

  it('refuses a second owner while the first lives, naming its pid in a HINT', () => {
    const dir = fresh();
    const lock = acquireLock(dir, 'up');
    const err = refusal(() => acquireLock(dir, 'train', 'runs/x'));
    expect(err.code).toBe('LOCKED');
    expect(err.message).toContain(`HINT: \`ace down --state-dir runs/x\` or kill ${process.pid}`);
    lock.release();
  });

  it('takes over a stale lock whose owner is gone', () => {
    const dir = fresh();
    writeLock(dir, { owner: { pid: deadPid(), startTime: 1, command: 'up', since: 'then' } });
    const lock = acquireLock(dir, 'up');
    expect(readLock(dir)?.owner.pid).toBe(process.pid);
    lock.release();
  });

  it('takes over a lock whose pid now belongs to another process (a reused pid is not the owner)', () => {
    const dir = fresh();
    writeLock(dir, { owner: { pid: process.pid, startTime: processStartTime(process.pid)! - 1, command: 'up', since: 'then' } });
    acquireLock(dir, 'up').release();
  });

  it("refuses while a gone owner's nats-server still runs on the store, naming the server's pid", () => {
    const dir = fresh();
    const server = spawn('sleep', ['60']);
    sleepers.push(server);
    writeLock(dir, { owner: { pid: deadPid(), startTime: 1, command: 'up', since: 'then' }, server: processId(server.pid!) });
    const err = refusal(() => acquireLock(dir, 'up'));
    expect(err.code).toBe('STORE_IN_USE');
    expect(err.message).toContain(`HINT: kill ${server.pid}`);
  });

  it('records the embedded server, and a release keeps a lock another process took over', () => {
    const dir = fresh();
    const server = spawn('sleep', ['60']);
    sleepers.push(server);
    const lock = acquireLock(dir, 'up');
    lock.recordServer(server.pid!);
    expect(readLock(dir)?.server).toEqual(processId(server.pid!));
    writeLock(dir, { owner: { pid: server.pid!, startTime: processStartTime(server.pid!)!, command: 'up', since: 'now' } });
    lock.release();
    expect(readLock(dir)?.owner.pid).toBe(server.pid);
  });
});
