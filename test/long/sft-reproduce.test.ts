// `ace sft` with the recorded config and seed reproduces the shipped base bit for bit: a
// 100-step rerun must land on the float32 weights digest that models/base/sft.json recorded at
// step 100 (the schedule is constant after warmup, so the first 100 steps of the 1,200-step run
// are those of a 100-step run). Too slow for `npm test` (about two minutes).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAce } from '../../tools/harness/up.ts';

describe('ace sft reproduces the shipped base', () => {
  it('lands on the recorded step-100 weights digest', async () => {
    const recorded = JSON.parse(readFileSync('models/base/sft.json', 'utf8')) as { command: string; paramDigests?: Record<string, string> };
    expect(recorded.paramDigests?.['100'], 'models/base/sft.json records paramDigests').toMatch(/^[0-9a-f]{64}$/);
    const out = join(mkdtempSync(join(tmpdir(), 'ace-sft-repro-')), 'base');
    const r = await runAce(['sft', '--config', 'configs/sft.json', '--steps', '100', '--eval-problems', '20', '--out', out], 1_200_000);
    expect(r.code, r.stderr).toBe(0);
    const rerun = JSON.parse(readFileSync(join(out, 'sft.json'), 'utf8')) as { paramDigests: Record<string, string> };
    expect(rerun.paramDigests['100']).toBe(recorded.paramDigests!['100']);
  });
});
