// The math pool and benchmarks as `configs/curate/math.json` names them, read as prompt-only
// documents: what the decontamination bench and its real-data test run on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../datasets.ts';
import { CurateConfig } from './config.ts';
import type { TextDoc } from './decontam.ts';
import { readSource, type SourceConfig } from './read.ts';

export function mathCurateSources(): { pool: SourceConfig[]; benchmarks: SourceConfig[] } {
  const config = CurateConfig.parse(JSON.parse(readFileSync(join(repoRoot(), 'configs', 'curate', 'math.json'), 'utf8')));
  return { pool: config.sources as SourceConfig[], benchmarks: config.benchmarks as SourceConfig[] };
}

export function promptDocs(sources: readonly SourceConfig[]): TextDoc[] {
  return sources.flatMap((c) => readSource(c, { promptOnly: true }).problems.map((p) => ({ id: p.id, source: p.source, text: p.prompt })));
}
