// De-duplication within and across sources: exact (same normalized token sequence),
// near-duplicate (MinHash over token shingles with LSH banding, each candidate pair then
// checked with its exact Jaccard similarity), and source URL for code. The first problem
// in input order is kept; each dropped one is listed with the one it duplicates.
// Not clustering: a chain a~b~c with a !~ c keeps a and c when b is dropped.
import { z } from 'zod';
import { FNV_OFFSET, fnv1a32 } from '../hash.ts';
import { Rng } from '../rng.ts';
import { Vocab } from './normalize.ts';
import { ngramKey, sameRun } from './ngram.ts';

export const DedupConfig = z
  .object({
    /** Drop exact duplicates (same normalized token sequence). */
    exact: z.boolean().default(true),
    /** Drop near-duplicates by MinHash. */
    near: z.boolean().default(true),
    /** Shingle length in tokens for near-duplicates. */
    shingleTokens: z.number().int().min(1).default(5),
    /** Number of MinHash functions; must equal bands * rows. */
    numHashes: z.number().int().positive().default(64),
    /** LSH bands (rows per band = numHashes / bands); candidate threshold is about (1/bands)^(1/rows). */
    bands: z.number().int().positive().default(16),
    /** Exact shingle Jaccard similarity at or above which a candidate pair is a duplicate. */
    jaccard: z.number().min(0).max(1).default(0.8),
    /** Math: near-duplicates must also have the same gold answer (same template, new numbers is a new problem). */
    requireSameAnswer: z.boolean().default(true),
    /** Code: drop problems whose normalized source URL was already seen. */
    url: z.boolean().default(true),
    /** Seed of the MinHash functions. */
    seed: z.number().int().default(7),
  })
  .strict()
  .refine((c) => c.numHashes % c.bands === 0, { message: 'numHashes must be a multiple of bands', path: ['bands'] });
export type DedupConfig = z.input<typeof DedupConfig>;

export type DedupDoc = { id: string; text: string; answer?: string; url?: string };
export type DupPair = { kind: 'exact' | 'near' | 'url'; keptId: string; droppedId: string; jaccard?: number; url?: string };
export type DedupResult = { dropped: number[]; pairs: DupPair[]; counts: { exact: number; near: number; url: number } };

/** Canonical URL: no scheme, no www., no query or fragment, no trailing slash, lower case. */
export function normalizeUrl(url: string): string {
  return url
    .trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, '')
    .replace(/^www\./, '')
    .replace(/[?#].*$/, '')
    .replace(/\/+$/, '');
}

function mix32(x: number, seed: number): number {
  let h = Math.imul(x ^ seed, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Sorted distinct 32-bit shingle hashes of a token-id sequence. */
export function shingles(ids: Int32Array, k: number): Uint32Array {
  const len = Math.min(k, ids.length);
  const set = new Set<number>();
  for (let p = 0; p + len <= ids.length && len > 0; p++) set.add(ngramKey(ids, p, len) >>> 0);
  return Uint32Array.from(set).sort();
}

export function jaccardSorted(a: Uint32Array, b: Uint32Array): number {
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) inter++, i++, j++;
    else if (a[i] < b[j]) i++;
    else j++;
  }
  const union = a.length + b.length - inter;
  return union === 0 ? 1 : inter / union;
}

/** MinHash signature of a shingle set: (numHashes) minima of seeded 32-bit hashes. */
export function minhash(sh: Uint32Array, seeds: Uint32Array): Uint32Array {
  const sig = new Uint32Array(seeds.length).fill(0xffffffff);
  for (let s = 0; s < sh.length; s++) {
    const x = sh[s];
    for (let h = 0; h < seeds.length; h++) {
      const v = mix32(x, seeds[h]);
      if (v < sig[h]) sig[h] = v;
    }
  }
  return sig;
}

function answerKey(a: string | undefined): string {
  return (a ?? '').replace(/\\left|\\right|\\!|\\,|\s+/g, '').replace(/\\[dt]frac/g, '\\frac');
}

export function dedup(docs: readonly DedupDoc[], config: DedupConfig = {}, vocab = new Vocab()): DedupResult {
  const cfg = DedupConfig.parse(config);
  const dropped = new Set<number>();
  const pairs: DupPair[] = [];
  const counts = { exact: 0, near: 0, url: 0 };
  const ids = docs.map((d) => vocab.encode(d.text));
  const drop = (j: number, pair: DupPair) => {
    dropped.add(j);
    pairs.push(pair);
    counts[pair.kind]++;
  };

  if (cfg.url) {
    const seen = new Map<string, number>();
    docs.forEach((d, j) => {
      if (d.url === undefined || d.url === '') return;
      const u = normalizeUrl(d.url);
      const i = seen.get(u);
      if (i === undefined) seen.set(u, j);
      else drop(j, { kind: 'url', keptId: docs[i].id, droppedId: d.id, url: u });
    });
  }

  if (cfg.exact) {
    const seen = new Map<number, number[]>();
    ids.forEach((t, j) => {
      if (dropped.has(j)) return;
      const key = ngramKey(t, 0, t.length);
      const same = seen.get(key);
      const i = same?.find((c) => ids[c].length === t.length && sameRun(ids[c], 0, t, 0, t.length));
      if (i !== undefined) drop(j, { kind: 'exact', keptId: docs[i].id, droppedId: docs[j].id });
      else if (same) same.push(j);
      else seen.set(key, [j]);
    });
  }

  if (cfg.near) {
    const rng = new Rng(cfg.seed);
    const seeds = new Uint32Array(cfg.numHashes).map(() => rng.nextU32());
    const rows = cfg.numHashes / cfg.bands;
    const sh: Uint32Array[] = ids.map((t) => shingles(t, cfg.shingleTokens));
    const buckets = new Map<number, number[]>();
    const candidates = new Map<number, Set<number>>(); // later doc -> earlier docs
    docs.forEach((_, j) => {
      if (dropped.has(j) || sh[j].length === 0) return;
      const sig = minhash(sh[j], seeds);
      for (let b = 0; b < cfg.bands; b++) {
        const key = b * 4294967296 + fnv1a32(sig, FNV_OFFSET ^ b, b * rows, (b + 1) * rows);
        const bucket = buckets.get(key);
        if (!bucket) {
          buckets.set(key, [j]);
          continue;
        }
        let c = candidates.get(j);
        if (!c) candidates.set(j, (c = new Set()));
        for (const i of bucket) c.add(i);
        bucket.push(j);
      }
    });
    for (let j = 0; j < docs.length; j++) {
      const c = candidates.get(j);
      if (!c || dropped.has(j)) continue;
      for (const i of [...c].sort((x, y) => x - y)) {
        if (dropped.has(i)) continue;
        if (cfg.requireSameAnswer && docs[i].answer !== undefined && answerKey(docs[i].answer) !== answerKey(docs[j].answer)) continue;
        const jac = jaccardSorted(sh[i], sh[j]);
        if (jac >= cfg.jaccard) {
          drop(j, { kind: 'near', keptId: docs[i].id, droppedId: docs[j].id, jaccard: Math.round(jac * 1000) / 1000 });
          break;
        }
      }
    }
  }
  return { dropped: [...dropped].sort((a, b) => a - b), pairs, counts };
}
