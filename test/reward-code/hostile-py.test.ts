// Hostile Python programs against the sandbox: each must get its exact outcome, leave no
// trace on the host, and the verifier must keep serving afterwards. Programs that probe
// (read files, environment, network) print what they could reach; the expected output is
// the contained answer, so `correct` there means "the probe found nothing".
import { existsSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CodeVerifierPool } from '../../ops/reward/code/pool.ts';
import { sandboxProblem } from '../../ops/reward/code/py-runner.ts';
import type { FailureReason } from '../../ops/reward/code/types.ts';

const noSandbox = sandboxProblem();
if (noSandbox) console.warn(`skipping hostile Python suite: ${noSandbox}`);

const CANARY = `/tmp/ace-hostile-canary-${process.pid}`;
const SECRET = `ace-secret-${process.pid}`;
process.env.ACE_HOSTILE_SECRET = SECRET;

type Case = { name: string; code: string; input?: string; output?: string; expect: 'correct' | FailureReason; tests?: unknown };
const fn = (code: string) => ({ format: 'function', fnName: 'f', cases: [{ args: [1], expected: 1 }] });

const CASES: Case[] = [
  // time
  { name: 'infinite loop', code: 'while True: pass', expect: 'time_limit' },
  { name: 'sleep forever', code: 'import time\ntime.sleep(10**6)', expect: 'time_limit' },
  { name: 'loop that swallows every exception', code: 'while True:\n    try:\n        while True: pass\n    except BaseException:\n        pass', expect: 'time_limit' },
  { name: 'infinite loop in a function test', code: 'def f(x):\n    while True: pass', tests: fn(''), expect: 'time_limit' },
  { name: 'ignores SIGALRM and SIGTERM', code: 'import signal\nfor s in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT): signal.signal(s, signal.SIG_IGN)\nwhile True: pass', expect: 'time_limit' },
  { name: 'stops itself and its process group', code: 'import os, signal\nos.killpg(0, signal.SIGSTOP)\nprint(1)', expect: 'time_limit' },
  { name: 'waits for stdin that never ends', code: 'import sys\nwhile True: sys.stdin.read(1) or __import__("time").sleep(1)', expect: 'time_limit' },
  { name: 'CPU-spinning threads', code: 'import threading\ndef spin():\n    while True: pass\nfor _ in range(4): threading.Thread(target=spin).start()', expect: 'time_limit' },
  // memory
  { name: 'one huge allocation', code: 'x = "a" * 10**11', expect: 'memory_limit' },
  { name: 'growing allocations', code: 'a = []\nwhile True: a.append(bytearray(5 * 10**7))', expect: 'memory_limit' },
  { name: 'huge list in a function test', code: 'def f(x):\n    return [0] * 10**10', tests: fn(''), expect: 'memory_limit' },
  // processes
  { name: 'fork bomb', code: 'import os\nwhile True: os.fork()', expect: 'runtime_error' },
  { name: 'fork bomb that ignores errors', code: 'import os\nwhile True:\n    try: os.fork()\n    except OSError: pass', expect: 'time_limit' },
  { name: 'thread bomb', code: 'import threading, time\nwhile True: threading.Thread(target=time.sleep, args=(100,)).start()', expect: 'runtime_error' },
  { name: 'kills its parent (the zygote, PID 1)', code: 'import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nos.kill(1, signal.SIGKILL)\nprint("still here")', output: 'still here', expect: 'correct' },
  { name: 'kills every process it can', code: 'import os, signal\ntry: os.kill(-1, signal.SIGKILL)\nexcept ProcessLookupError: pass\nprint("still here")', output: 'still here', expect: 'correct' },
  { name: 'kills the host test process by pid', code: `import os\ntry:\n    os.kill(${process.pid}, 9)\n    print("sent")\nexcept ProcessLookupError:\n    print("no such process")`, output: 'no such process', expect: 'correct' },
  { name: 'runs a shell command', code: 'import subprocess\nprint(sorted(set(subprocess.run(["ls", "/"], capture_output=True, text=True).stdout.split()) & {"root", "work", "etc", "home"}))', output: '[]', expect: 'correct' },
  { name: 'becomes root', code: 'import os\nos.setuid(0)', expect: 'runtime_error' },
  { name: 'new user namespace', code: 'import ctypes\nprint(ctypes.CDLL(None, use_errno=True).unshare(0x10000000))', output: '-1', expect: 'correct' },
  // files
  { name: 'reads /etc/passwd', code: 'print(open("/etc/passwd").read())', expect: 'runtime_error' },
  { name: 'reads the repository', code: `import os\nprint(os.path.exists("${process.cwd()}"), os.path.exists("/work"), os.path.exists("/root"))`, output: 'False False False', expect: 'correct' },
  { name: 'reads the zygote memory and environment', code: 'out = []\nfor p in ("/proc/1/environ", "/proc/1/mem", "/proc/1/fd/0"):\n    try: open(p, "rb").read(1); out.append("read")\n    except OSError: out.append("denied")\nprint(*out)', output: 'denied denied denied', expect: 'correct' },
  { name: 'writes into /usr', code: 'open("/usr/evil", "w").write("x")', expect: 'runtime_error' },
  { name: 'writes a canary into /tmp', code: `open("${CANARY}", "w").write("x")\nprint("written")`, output: 'written', expect: 'correct' },
  { name: 'writes one huge file', code: 'open("big", "wb").write(b"a" * 10**8)', expect: 'runtime_error' },
  { name: 'fills the tmpfs', code: 'for i in range(20):\n    open(f"/tmp/f{i}", "wb").write(b"a" * 15 * 2**20)', expect: 'runtime_error' },
  { name: 'opens files until it cannot', code: 'fs = [open("/dev/null") for _ in range(10**5)]', expect: 'runtime_error' },
  // network
  { name: 'connects out', code: 'import socket\nsocket.create_connection(("1.1.1.1", 80), timeout=2)', expect: 'runtime_error' },
  { name: 'resolves a name', code: 'import socket\nsocket.getaddrinfo("example.com", 80)', expect: 'runtime_error' },
  { name: 'lists network interfaces', code: 'import socket\nprint(sorted(n for _, n in socket.if_nameindex()))', output: "['lo']", expect: 'correct' },
  // environment
  { name: 'reads the environment', code: `import os\nprint("${SECRET}" in str(dict(os.environ)), sorted(os.environ))`, output: "False ['HOME', 'LANG', 'MALLOC_ARENA_MAX', 'PATH', 'PWD']", expect: 'correct' },
  // output and recursion
  { name: 'giant output', code: 'while True: print("x" * 10000)', expect: 'runtime_error' },
  { name: 'giant stderr', code: 'import sys\nwhile True: sys.stderr.write("x" * 10000)', expect: 'time_limit' },
  { name: 'deep recursion', code: 'def r(n): return r(n + 1)\nr(0)', expect: 'runtime_error' },
  { name: 'closes its pipes and keeps running', code: 'import os\nfor fd in (0, 1, 2): os.close(fd)\nwhile True: pass', expect: 'time_limit' },
  { name: 'leaves a forked child holding the pipes', code: 'import os, time\nif os.fork() == 0:\n    time.sleep(100)\nprint("parent done")', output: 'parent done', expect: 'correct' },
  { name: 'exits non-zero', code: 'import sys\nsys.exit(3)', expect: 'runtime_error' },
  { name: 'exits the harness before reporting', code: 'import os\ndef f(x):\n    os._exit(0)', tests: fn(''), expect: 'runtime_error' },
  { name: 'syntax error', code: 'def f(:\n    pass', expect: 'compile_error' },
];

describe.skipIf(noSandbox !== null)('hostile Python programs', () => {
  const pool = new CodeVerifierPool({ jsWorkers: 0, pyWorkers: 2, perTestMs: 2000, totalMs: 4000, pyMemoryMb: 192 });
  afterAll(async () => {
    await pool.close();
    rmSync(CANARY, { force: true });
  });

  it(`contains ${CASES.length} programs with the right outcome each`, async () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    const verdicts = await Promise.all(
      CASES.map((c) => pool.verify({ language: 'python', code: c.code, tests: c.tests ?? { format: 'stdio', cases: [{ input: c.input ?? '', output: c.output ?? '' }] } })),
    );
    const got = verdicts.map((v, i) => `${CASES[i].name}: ${v.kind === 'correct' ? 'correct' : (v.firstFailure?.reason ?? v.kind)}`);
    const want = CASES.map((c) => `${c.name}: ${c.expect}`);
    expect(got).toEqual(want);
    for (const v of verdicts) expect(v.kind === 'correct' ? v.reward : 0).toBe(v.kind === 'correct' ? 1 : v.reward);
  });

  it('leaves no trace on the host and keeps serving', async () => {
    expect(existsSync(CANARY)).toBe(false);
    const ok = await Promise.all(Array.from({ length: 4 }, (_, i) => pool.verify({ language: 'python', code: `print(${i} * 2)`, tests: { format: 'stdio', cases: [{ input: '', output: String(i * 2) }] } })));
    expect(ok.map((v) => v.kind)).toEqual(['correct', 'correct', 'correct', 'correct']);
  });

  it('kills leftover processes and wipes /tmp between programs', async () => {
    const one = new CodeVerifierPool({ jsWorkers: 0, pyWorkers: 1, perTestMs: 2000 });
    try {
      const daemon = 'import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(0.3)\n    open("/tmp/late", "w").write("x")\n    os._exit(0)\nopen("/tmp/early", "w").write("x")\nopen("/dev/shm/early", "w").write("x")\nprint("spawned")';
      expect(await one.verify({ language: 'python', code: daemon, tests: { format: 'stdio', cases: [{ input: '', output: 'spawned' }] } })).toMatchObject({ kind: 'correct' });
      await new Promise((r) => setTimeout(r, 500));
      const probe = 'import os, time\nprint(sorted(os.listdir("/tmp")), os.listdir("/dev/shm"), len([p for p in os.listdir("/proc") if p.isdigit()]))';
      expect(await one.verify({ language: 'python', code: probe, tests: { format: 'stdio', cases: [{ input: '', output: "['run'] [] 2" }] } })).toMatchObject({ kind: 'correct' });
      expect(one.stats().sandboxLaunches).toBe(1);
    } finally {
      await one.close();
    }
  });
});
