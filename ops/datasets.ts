// Where the shared real datasets live, and plain readers for their files (JSON, JSONL,
// gzipped or not). The path is configurable with ACE_DATASETS; tests and benchmarks skip
// with a visible reason when it is absent. Not a curation reader (see ops/data).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The datasets folder: $ACE_DATASETS, else ../shared/datasets beside the repository. */
export function datasetsDir(): string {
  return process.env.ACE_DATASETS ?? resolve(REPO_ROOT, '..', 'shared', 'datasets');
}

/** Absolute path of a dataset file, or null when it is not there. */
export function datasetPath(rel: string): string | null {
  const p = join(datasetsDir(), rel);
  return existsSync(p) ? p : null;
}

/** Why a dataset-backed test or bench is skipped, or null when the file is present. */
export function missingDatasetReason(rel: string): string | null {
  return datasetPath(rel) ? null : `dataset ${join(datasetsDir(), rel)} not found (set ACE_DATASETS)`;
}

export function readText(path: string): string {
  const raw = readFileSync(path);
  return (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
}

/** Rows of a .json (array) or .jsonl file, gzipped or not. */
export function readRows<T = Record<string, unknown>>(path: string): T[] {
  const text = readText(path);
  const base = path.replace(/\.gz$/, '');
  if (base.endsWith('.jsonl')) {
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as T);
  }
  return JSON.parse(text) as T[];
}

export function repoRoot(): string {
  return REPO_ROOT;
}
