// N-gram decontamination of a problem pool against benchmark sets (AceReason-Nemotron
// §3.2.1 uses 9-grams). Benchmark n-grams go into a Map of integer keys; each pool
// window is looked up once. Boilerplate is handled by a stop-list computed from the pool
// itself: an n-gram found in at least `stopMinDocFreq` pool problems is a stock phrase
// ("express your answer as a decimal to the nearest tenth"), not evidence of a leak.
// Texts shorter than n tokens only match a benchmark text that is token-for-token equal.
import { z } from 'zod';
import { stripAsymptote, Vocab } from './normalize.ts';
import { ngramKey, sameRun } from './ngram.ts';

export const DecontamConfig = z
  .object({
    /** N-gram length in tokens (paper: 9). */
    n: z.number().int().min(2).default(9),
    /** Pool document frequency at or above which an n-gram is boilerplate and ignored. */
    stopMinDocFreq: z.number().int().min(2).default(3),
    /** Distinct evidence n-grams a pool problem must share with one benchmark problem to be flagged (paper: 1). */
    minSharedNgrams: z.number().int().min(1).default(1),
    /**
     * A shared n-gram is evidence only if one of its tokens occurs in at most this many pool
     * problems: a run of common words ("the number of positive integers n less than or") is
     * phrasing, a rare formula or name is content. 0 turns the test off.
     */
    rareTokenMaxDocFreq: z.number().int().min(0).default(20),
    /** Or: flagged when shared n-grams of any kind cover this fraction of the benchmark problem's windows (near-copies made of stock phrases). */
    minCoverage: z.number().min(0).max(1).default(0.9),
    /** Texts shorter than n tokens are compared whole, but only from this many tokens up. */
    minShortTokens: z.number().int().min(1).default(1),
    /** Drop [asy] figure code before tokenizing (its draw/label lines are shared boilerplate). */
    stripAsymptote: z.boolean().default(true),
  })
  .strict();
export type DecontamConfig = z.input<typeof DecontamConfig>;

export type TextDoc = { id: string; source: string; text: string };

/** One pool problem that shares text with one benchmark problem. */
export type ContaminationPair = {
  poolId: string;
  poolSource: string;
  benchmark: string;
  benchmarkId: string;
  /** Distinct shared non-stop n-grams (1 for a whole short text). */
  sharedNgrams: number;
  /** The first shared n-gram, as normalized tokens. */
  ngram: string;
};

export type DecontamResult = {
  /** Indices into the pool of flagged problems, ascending. */
  flagged: number[];
  pairs: ContaminationPair[];
  /** Pairs that matched only through stop-listed or all-common-word n-grams (kept, listed for the report). */
  suppressed: ContaminationPair[];
  /** Stop-listed n-grams that also occur in a benchmark, with their pool document frequency. */
  stopList: { ngram: string; docFreq: number }[];
  perBenchmark: Record<string, { size: number; poolFlagged: number; itemsHit: number }>;
  /** Windows looked up (pool side), for throughput figures. */
  windows: number;
};

type Posting = number[]; // flattened (benchmark doc, position) pairs

/** Decontaminate `pool` against `benchmarks`; both are normalized and tokenized here. */
export function decontaminate(pool: readonly TextDoc[], benchmarks: readonly TextDoc[], config: DecontamConfig = {}, vocab = new Vocab()): DecontamResult {
  const cfg = DecontamConfig.parse(config);
  const n = cfg.n;
  const prep = cfg.stripAsymptote ? stripAsymptote : (t: string) => t;
  const benchIds = benchmarks.map((b) => vocab.encode(prep(b.text)));
  const index = new Map<number, Posting>();
  const shortIndex = new Map<number, number[]>();
  benchIds.forEach((ids, b) => {
    if (ids.length < n) {
      if (ids.length < cfg.minShortTokens) return;
      const key = ngramKey(ids, 0, ids.length);
      const list = shortIndex.get(key);
      if (list) list.push(b);
      else shortIndex.set(key, [b]);
      return;
    }
    for (let p = 0; p + n <= ids.length; p++) {
      const key = ngramKey(ids, p, n);
      const post = index.get(key);
      if (post) post.push(b, p);
      else index.set(key, [b, p]);
    }
  });

  // Pass 1: every pool window that hits the index, and the pool document frequency of
  // the keys that hit (the only keys whose stop-list status can change a verdict).
  const poolIds: Int32Array[] = new Array(pool.length);
  const hitDoc: number[] = [];
  const hitPos: number[] = [];
  const hitKey: number[] = [];
  const docFreq = new Map<number, number>();
  const lastDoc = new Map<number, number>();
  const seenText = new Set<number>();
  const tokenDf: number[] = [];
  const tokenLast: number[] = [];
  let windows = 0;
  for (let d = 0; d < pool.length; d++) {
    const ids = vocab.encode(prep(pool[d].text));
    poolIds[d] = ids;
    // Exact copies inside the pool count once, or a benchmark problem present three
    // times would have every n-gram stop-listed.
    const textKey = ngramKey(ids, 0, ids.length);
    const countsForDf = !seenText.has(textKey);
    seenText.add(textKey);
    if (countsForDf) {
      for (let i = 0; i < ids.length; i++) {
        const t = ids[i];
        if (tokenLast[t] === d) continue;
        tokenLast[t] = d;
        tokenDf[t] = (tokenDf[t] ?? 0) + 1;
      }
    }
    for (let p = 0; p + n <= ids.length; p++) {
      windows++;
      const key = ngramKey(ids, p, n);
      if (!index.has(key)) continue;
      hitDoc.push(d), hitPos.push(p), hitKey.push(key);
      if (countsForDf && lastDoc.get(key) !== d) {
        lastDoc.set(key, d);
        docFreq.set(key, (docFreq.get(key) ?? 0) + 1);
      }
    }
  }
  const isStop = (key: number) => (docFreq.get(key) ?? 0) >= cfg.stopMinDocFreq;
  const hasRareToken = (ids: Int32Array, p: number) => {
    if (cfg.rareTokenMaxDocFreq === 0) return true;
    for (let i = p; i < p + n; i++) if ((tokenDf[ids[i]] ?? 0) <= cfg.rareTokenMaxDocFreq) return true;
    return false;
  };

  // Pass 2: exact verification per (pool doc, benchmark doc), counting distinct n-grams.
  // shared: evidence n-grams; common: non-stop n-grams of common words only (count toward
  // coverage, not as evidence); stopOnly: stop-listed n-grams (listed, never counted).
  type Acc = { shared: Set<number>; common: Set<number>; stopOnly: Set<number>; first?: [number, number]; firstWeak?: [number, number] };
  const acc = new Map<number, Map<number, Acc>>(); // pool doc -> benchmark doc -> acc
  for (let h = 0; h < hitDoc.length; h++) {
    const d = hitDoc[h];
    const p = hitPos[h];
    const key = hitKey[h];
    const post = index.get(key)!;
    for (let j = 0; j < post.length; j += 2) {
      const b = post[j];
      if (!sameRun(poolIds[d], p, benchIds[b], post[j + 1], n)) continue;
      let perDoc = acc.get(d);
      if (!perDoc) acc.set(d, (perDoc = new Map()));
      let a = perDoc.get(b);
      if (!a) perDoc.set(b, (a = { shared: new Set(), common: new Set(), stopOnly: new Set() }));
      if (isStop(key)) {
        a.stopOnly.add(key);
        a.firstWeak ??= [d, p];
      } else if (!hasRareToken(poolIds[d], p)) {
        a.common.add(key);
        a.firstWeak ??= [d, p];
      } else {
        a.shared.add(key);
        a.first ??= [d, p];
      }
    }
  }
  for (let d = 0; d < pool.length; d++) {
    const ids = poolIds[d];
    if (ids.length >= n || ids.length < cfg.minShortTokens) continue;
    for (const b of shortIndex.get(ngramKey(ids, 0, ids.length)) ?? []) {
      if (benchIds[b].length !== ids.length || !sameRun(ids, 0, benchIds[b], 0, ids.length)) continue;
      let perDoc = acc.get(d);
      if (!perDoc) acc.set(d, (perDoc = new Map()));
      perDoc.set(b, { shared: new Set([-1]), common: new Set(), stopOnly: new Set(), first: [d, 0] });
    }
  }

  const pairs: ContaminationPair[] = [];
  const suppressed: ContaminationPair[] = [];
  const flagged: number[] = [];
  const perBenchmark: DecontamResult['perBenchmark'] = {};
  for (const b of benchmarks) perBenchmark[b.source] ??= { size: 0, poolFlagged: 0, itemsHit: 0 };
  for (const b of benchmarks) perBenchmark[b.source].size++;
  const benchHit = new Set<number>();
  for (const d of [...acc.keys()].sort((x, y) => x - y)) {
    const perDoc = acc.get(d)!;
    const flaggedBy = new Set<string>();
    for (const [b, a] of [...perDoc.entries()].sort((x, y) => x[0] - y[0])) {
      const base = { poolId: pool[d].id, poolSource: pool[d].source, benchmark: benchmarks[b].source, benchmarkId: benchmarks[b].id };
      const short = a.shared.has(-1);
      const coverage = short ? 1 : (a.shared.size + a.common.size + a.stopOnly.size) / (benchIds[b].length - n + 1);
      if (a.shared.size >= cfg.minSharedNgrams || coverage >= cfg.minCoverage) {
        const [, p] = a.first ?? a.firstWeak!;
        pairs.push({ ...base, sharedNgrams: a.shared.size, ngram: vocab.decode(poolIds[d], p, p + Math.min(n, poolIds[d].length)) });
        flaggedBy.add(benchmarks[b].source);
        benchHit.add(b);
      } else {
        const [, p] = a.firstWeak!;
        suppressed.push({ ...base, sharedNgrams: 0, ngram: vocab.decode(poolIds[d], p, p + n) });
      }
    }
    if (flaggedBy.size > 0) flagged.push(d);
    for (const s of flaggedBy) perBenchmark[s].poolFlagged++;
  }
  for (const b of benchHit) perBenchmark[benchmarks[b].source].itemsHit++;

  const stopList: DecontamResult['stopList'] = [];
  const seen = new Set<number>();
  for (let h = 0; h < hitKey.length; h++) {
    const key = hitKey[h];
    if (seen.has(key) || !isStop(key)) continue;
    seen.add(key);
    stopList.push({ ngram: vocab.decode(poolIds[hitDoc[h]], hitPos[h], hitPos[h] + n), docFreq: docFreq.get(key)! });
  }
  stopList.sort((a, b) => b.docFreq - a.docFreq || (a.ngram < b.ngram ? -1 : 1));
  return { flagged, pairs, suppressed, stopList, perBenchmark, windows };
}
