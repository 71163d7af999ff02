// Acceptance ("a run that survives its user"): the errors a user meets at the command line are
// one line and a HINT, never a stack, and come before anything starts; and a finished run's
// directory is enough for `ace reverify` and `ace replay`. Real `ace` processes, real servers.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TopologyInput } from '../../contracts/topology.ts';
import { freePort } from '../../streams/server.ts';
import { ACE, heartbeats, killStartedUps, runAce, startUp, waitFor, writeTopology } from '../../tools/harness/up.ts';
import { useNats } from '../support/nats.ts';
import { tinyPolicy } from '../support/tiny-policy.ts';

/** A stack trace line, which no user-facing error may carry. */
const STACK = /\n\s+at .+\(.+:\d+:\d+\)/;

/** The command lines of live processes that mention `needle` (their own pid excluded). */
function processesWith(needle: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue; // gone meanwhile
    }
    if (cmd.includes(needle)) out.push(`${pid}: ${cmd}`);
  }
  return out;
}

const tmp = (what: string) => mkdtempSync(join(tmpdir(), `ace-${what}-`));

const children = new Set<ChildProcess>();
function spawnAce(args: string[]): { child: ChildProcess; output: () => string; exit: Promise<number> } {
  const child = spawn(process.execPath, [ACE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exit = new Promise<number>((r) => child.once('exit', (code) => r(code ?? -1)));
  return { child, output: () => out, exit };
}

const demo = (prefix: string): TopologyInput => ({
  name: 'demo',
  prefix,
  actors: { source: { kind: 'demo-source', config: { count: 100_000_000, payloadBytes: 16, downstream: 'work' } }, work: { kind: 'demo-stage', config: { from: 'in' } } },
});

describe('settings are checked before anything starts', () => {
  it('ace train --topology with a bad learner setting exits 2 naming the field, before the base evaluation and before writing the run dir', async () => {
    const { path } = writeTopology({ name: 'bad', actors: { learner: { kind: 'learner', config: { stepz: 3, lr: -1 } } } });
    const runDir = join(tmp('run'), 'run');
    // Without --no-eval: the 45 s base evaluation came first before the fix.
    const r = await runAce(['train', '--topology', path, '--run-dir', runDir], 30_000);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/actors\.learner\.config\.lr: Too small: expected number to be >0\n/);
    expect(r.stderr).toMatch(/actors\.learner\.config: Unrecognized key: "stepz"\n/);
    expect(r.stderr).toMatch(/\nHINT: /);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stderr).not.toMatch(/evaluating/);
    expect(existsSync(join(runDir, 'topology.json'))).toBe(false);
  });

  it('ace train --eval-problems beyond the code held-out split exits 2 with a HINT, before the base evaluation and before writing the run dir', async () => {
    const runDir = join(tmp('run'), 'run');
    const r = await runAce(['train', '--run-dir', runDir, '--eval-problems', '2000'], 30_000);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/2000 held-out code problems asked for; .*only \d+ distinct heldout tasks exist/);
    expect(r.stderr).toMatch(/\nHINT: evaluate at most about 1,800 code problems, or math alone/);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stderr).not.toMatch(/evaluating/);
    expect(existsSync(runDir)).toBe(false);
  });

  it('ace train --resume checks the recorded topology the same way', async () => {
    const runDir = tmp('run');
    writeFileSync(join(runDir, 'topology.json'), JSON.stringify({ name: 'bad', actors: { learner: { kind: 'learner', config: { groupSize: 1 } } } }));
    const r = await runAce(['train', '--resume', '--run-dir', runDir, '--no-eval'], 30_000);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/actors\.learner\.config\.groupSize: Too small: expected number to be >=2\n/);
    expect(existsSync(join(runDir, 'nats'))).toBe(false);
  });

  it('ace up with a bad actor setting exits 2 naming the field and starts no nats-server or actor', async () => {
    const { path } = writeTopology({ name: 'bad', actors: { relay: { kind: 'demo-stage', config: { from: 'in', workMs: -5, workMz: 1 } } } });
    const stateDir = tmp('state');
    const r = await runAce(['up', path, '--state-dir', stateDir], 30_000);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/actors\.relay\.config\.workMs: Too small: expected number to be >=0\n/);
    expect(r.stderr).toMatch(/actors\.relay\.config: Unrecognized key: "workMz"\n/);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stderr).not.toMatch(/nats-server|supervisor|started/);
    expect(readdirSync(stateDir)).toEqual([]);
    expect(processesWith(stateDir)).toEqual([]);
  });
});

describe('NATS failures are one line with a HINT', () => {
  const nats = useNats(() => {
    killStartedUps();
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  it('an unreachable --nats URL: every command that takes one exits 2 with a HINT, no stack, nothing started', async () => {
    const dead = `nats://127.0.0.1:${await freePort()}`;
    const { path } = writeTopology(demo('dd'));
    const stateDir = tmp('state');
    const runDir = join(tmp('run'), 'run');
    const inState = ['--state-dir', stateDir];
    const commands = [
      ['status', ...inState],
      ['monitor', ...inState],
      ['scale', 'work=2', ...inState],
      ['down', ...inState],
      ['replay', 'rollouts', '--from-seq', '1', ...inState],
      ['reverify', ...inState],
      ['up', path, ...inState],
      ['train', '--run-dir', runDir],
    ];
    for (const c of commands) {
      const r = await runAce([...c, '--nats', dead], 30_000);
      expect({ c, code: r.code, stderr: r.stderr }).toMatchObject({ code: 2 });
      expect(r.stderr, c.join(' ')).toMatch(new RegExp(`^(\\[reverify\\] .*\\n)?ace ${c[0]}: cannot connect to the NATS server at ${dead}: connection refused\\nHINT: .+\\n$`));
    }
    expect(readdirSync(stateDir)).toEqual([]);
    expect(existsSync(runDir)).toBe(false); // train's base evaluation and run dir come after the check
  });

  it('ace monitor across ace down ends with "no running topology", not a TimeoutError stack; so do status on a gone or stale state dir', async () => {
    const { path } = writeTopology(demo('md'));
    const stateDir = tmp('state');
    const up = spawnAce(['up', path, '--state-dir', stateDir, '--progress-ms', '500']);
    const upJson = await waitFor('up.json', async () => existsSync(join(stateDir, 'up.json')) && readFileSync(join(stateDir, 'up.json'), 'utf8'), 60_000);
    const monitor = spawnAce(['monitor', '--state-dir', stateDir, '--interval-ms', '300']);
    await waitFor('a monitor screen', async () => /work-0\s+RUNNING/.test(monitor.output()), 60_000);
    expect((await runAce(['down', '--state-dir', stateDir])).code).toBe(0);
    expect(await up.exit, up.output()).toBe(0);
    expect(await monitor.exit, monitor.output()).toBe(2);
    const tail = monitor.output().slice(monitor.output().lastIndexOf('ace monitor: '));
    expect(tail).toMatch(/^ace monitor: no running topology at nats:\/\/127\.0\.0\.1:\d+ any more: .+\nHINT: .+\n$/);
    expect(monitor.output()).not.toMatch(STACK);

    const gone = await runAce(['status', '--state-dir', stateDir]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(new RegExp(`^ace status: no running topology found in ${stateDir}/up\\.json\\nHINT: .+\\n$`));

    // up.json left behind by an `ace up` that died with its server.
    writeFileSync(join(stateDir, 'up.json'), upJson);
    const stale = await runAce(['status', '--state-dir', stateDir]);
    expect(stale.code).toBe(2);
    expect(stale.stderr).toMatch(/^ace status: no running topology in .+: the server at nats:\/\/127\.0\.0\.1:\d+ in its up\.json does not answer \(connection refused\), and its `ace up` \(pid \d+\) is gone\nHINT: .+\n$/);
  }, 120_000);

  it('a stopped topology: status shows it, scale and down refuse with a HINT; a wrong prefix names it', async () => {
    const up = startUp(demo('sd'), nats.server.url);
    await waitFor('up.json', async () => existsSync(join(up.stateDir, 'up.json')), 60_000);
    // Both actors at work first: the case is a topology that ran and was stopped.
    await waitFor('both actors running', async () => (await heartbeats(nats.nc, 'sd').catch(() => [])).filter((h) => h.state === 'RUNNING').length === 2, 60_000);
    expect((await runAce(['down', '--state-dir', up.stateDir])).code).toBe(0);
    expect(await up.exitWithin(60_000)).toBe(0);
    const at = ['--nats', nats.server.url, '--prefix', 'sd', '--state-dir', tmp('state')];

    const status = await runAce(['status', '--json', ...at]);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).actors.map((a: { state: string }) => a.state)).toEqual(['STOPPED', 'STOPPED']);
    for (const c of [['scale', 'work=2'], ['down']]) {
      const r = await runAce([...c, ...at]);
      expect({ c, code: r.code }).toEqual({ c, code: 2 });
      expect(r.stderr).toMatch(new RegExp(`^ace ${c[0]}: no running topology with prefix 'sd' at ${nats.server.url}: it is stopped .+\\nHINT: .+--resume.*\\n$`));
    }
    const wrong = await runAce(['status', '--nats', nats.server.url, '--prefix', 'zz', '--state-dir', tmp('state')]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^ace status: no topology with prefix 'zz' in nats:.+\nHINT: pass the topology's --prefix.+\n$/);
  }, 120_000);
});

describe("a finished run's directory", () => {
  it('ace reverify and ace replay on a finished `ace train` run dir start its store themselves, with the expected counts, and leave no nats-server running', async () => {
    const TASKS = 4;
    const G = 4;
    const STEPS = 2;
    const runDir = join(tmp('run'), 'run');
    const { path } = writeTopology({
      name: 'rl',
      prefix: 'fin', // read back from <run-dir>/topology.json: not the default
      seed: 5,
      actors: {
        generator: { kind: 'generator', config: { tasksPerBatch: TASKS, ackWaitMs: 2000, lingerMs: 20 } },
        verifier: { kind: 'verifier', config: { ackWaitMs: 2000, concurrency: 4 } },
        normalizer: { kind: 'normalizer', config: { ackWaitMs: 2000 } },
        learner: {
          kind: 'learner',
          config: { base: tinyPolicy(), runDir, tasksPerStep: TASKS, groupSize: G, buckets: [{ batch: 4, length: 64 }], stages: [{ domain: 'math', steps: STEPS, source: { kind: 'synthetic', poolSize: 200 }, maxResponseTokens: 16 }] },
        },
      },
    });
    const train = await runAce(['train', '--topology', path, '--run-dir', runDir, '--no-eval'], 150_000);
    expect(train.code, train.stderr).toBe(0);
    expect(existsSync(join(runDir, 'up.json'))).toBe(false);
    expect(processesWith(runDir)).toEqual([]);

    const rv = await runAce(['reverify', '--state-dir', runDir], 60_000);
    expect(rv.code, rv.stderr).toBe(0);
    expect(rv.stderr).toContain(`verifier settings from ${join(runDir, 'topology.json')}`);
    expect(rv.stderr).toMatch(/\[reverify\] no topology is running for .+: started a private nats-server \(pid \d+\) on its store .+; it stops when this command ends/);
    expect(JSON.parse(rv.stdout.trim().split('\n').at(-1)!)).toEqual({ rollouts: STEPS * TASKS * G, same: STEPS * TASKS * G, changed: [], withoutVerdict: 0, invalid: 0 });
    expect(processesWith(runDir)).toEqual([]);

    const rp = await runAce(['replay', 'rollouts', '--from-seq', '1', '--state-dir', runDir], 60_000);
    expect(rp.code, rp.stderr).toBe(0);
    expect(rp.stderr).toMatch(/\[replay\] no topology is running for .+: started a private nats-server/);
    expect(JSON.parse(rp.stdout.trim().split('\n').at(-1)!)).toMatchObject({ stream: 'FIN_ROLLOUTS', replayed: STEPS * TASKS * G, firstSeq: 1, lastSeq: STEPS * TASKS * G, subject: 'fin.replay.rollouts' });
    expect(processesWith(runDir)).toEqual([]);

    // The wrong prefix names the store and the prefixes it holds.
    const wrong = await runAce(['replay', 'rollouts', '--from-seq', '1', '--state-dir', runDir, '--prefix', 'ace'], 60_000);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/\nace replay: ACE_ROLLOUTS does not exist in the store .+\nHINT: pass the topology's --prefix \(this is 'ace'\); here: FIN_ROLLOUTS \(--prefix fin\)/);
    expect(processesWith(runDir)).toEqual([]);
    expect(existsSync(join(runDir, 'ace.lock'))).toBe(false);
  }, 240_000);
});
