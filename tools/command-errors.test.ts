// runCommand: the file-system errors a user meets (a full disk, a path that is not there, not
// theirs or read-only) that escape a command print as one line and a HINT, exit 2, no stack.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineCommand, runCommand } from './command.ts';

afterEach(() => vi.restoreAllMocks());

/** A command whose run throws what `fail` throws; stderr captured. */
async function runFailing(fail: () => void): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  const spec = defineCommand({ name: 'x', summary: 'fails', flags: {}, examples: ['ace x'], run: async () => (fail(), 0) });
  const code = await runCommand(spec, []);
  vi.restoreAllMocks();
  return { code, err: err.join('') };
}

/** A Node system error as fs raises it. */
const sysError = (code: string, syscall: string, path: string, text: string) => Object.assign(new Error(`${code}: ${text}, ${syscall} '${path}'`), { code, syscall, path, errno: -1 });

describe('runCommand and system errors', () => {
  // Regression: a full disk or a bad path that escaped a command ended in a stack, or one
  // line without a word on what to do.
  it('a full disk (ENOSPC, for real on /dev/full) is one line and a HINT, exit 2', async () => {
    const r = await runFailing(() => writeFileSync('/dev/full', 'x'));
    expect(r.code).toBe(2);
    // fs names no path for a failed write(2): callers that know it (checkpoints) say it themselves.
    expect(r.err).toBe("ace x: ENOSPC: no space left on device, write\nHINT: the disk is full: free space on that file system, or write elsewhere (another --out or --run-dir)\n");
  });

  it('a path that is not there (ENOENT, for real) names the path and hints at it', async () => {
    const r = await runFailing(() => readFileSync('/no/such/config.json'));
    expect(r.code).toBe(2);
    expect(r.err).toBe("ace x: ENOENT: no such file or directory, open '/no/such/config.json'\nHINT: no such file or directory: check the path (relative paths start at the current directory)\n");
  });

  it('permission denied and a read-only file system get their own HINT', async () => {
    const denied = await runFailing(() => {
      throw sysError('EACCES', 'open', '/root/x', 'permission denied');
    });
    expect(denied).toEqual({ code: 2, err: "ace x: EACCES: permission denied, open '/root/x'\nHINT: permission denied: choose a path you may use, or fix its permissions\n" });
    const readOnly = await runFailing(() => {
      throw sysError('EROFS', 'open', '/ro/x', 'read-only file system');
    });
    expect(readOnly).toEqual({ code: 2, err: "ace x: EROFS: read-only file system, open '/ro/x'\nHINT: read-only file system: write elsewhere (another --out or --run-dir)\n" });
  });

  it('other errors keep their way out: a coded one is one line, anything else is thrown', async () => {
    const coded = await runFailing(() => {
      throw Object.assign(new Error('bad thing'), { code: 'BAD' });
    });
    expect(coded).toEqual({ code: 2, err: 'ace x: bad thing\n' });
    await expect(runFailing(() => {
      throw new TypeError('a bug');
    })).rejects.toThrow('a bug');
  });
});
