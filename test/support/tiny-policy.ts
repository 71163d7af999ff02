// Test support: a tiny randomly initialized policy checkpoint (fast to sample and train), for
// tests of the loop's mechanics rather than of learning.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveCheckpoint, trainerState } from '../../ops/model/checkpoint.ts';
import { initParams, parseLlamaConfig } from '../../ops/model/config.ts';
import { Rng } from '../../ops/rng.ts';

export function tinyPolicy(seed = 1, maxPositions = 128): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'ace-tiny-')), 'base');
  const config = parseLlamaConfig({ hidden_size: 32, intermediate_size: 64, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 2, max_position_embeddings: maxPositions });
  saveCheckpoint(dir, {
    config,
    params: initParams(config, new Rng(seed)),
    optimizer: null,
    state: trainerState(),
  });
  return dir;
}
