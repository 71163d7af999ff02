// Reads and validates a topology file, in full before anything starts: its structure and each
// actor's `config` against that actor's own schema (the definitions load through the registry).
// Every problem names the field path (`actors.learner.config.lr`) and zod's message, which
// gives the accepted range or, for choices, the allowed values.
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ACTORS } from '../actors/registry.ts';
import { formatIssues } from '../contracts/issues.ts';
import { Topology } from '../contracts/topology.ts';
import { CodedError } from '../ops/errors.ts';

export class TopologyFileError extends CodedError<'TOPOLOGY_UNREADABLE' | 'TOPOLOGY_INVALID'> {}

function invalid(where: string, issues: string[]): TopologyFileError {
  return new TopologyFileError('TOPOLOGY_INVALID', `invalid topology ${where}:\n  ${issues.join('\n  ')}\nHINT: see topologies/demo.json for a valid file, and each actor's config.ts for its settings`);
}

/**
 * The structure only (kinds, counts, limits; actor configs unchecked): for a file whose run
 * was checked in full at start, such as an actor process re-reading it or a finished run's
 * record, whose other actors' settings may have changed since.
 */
export function parseTopologyShape(raw: unknown, where: string): Topology {
  const parsed = Topology.safeParse(raw);
  if (!parsed.success) throw invalid(where, formatIssues(parsed.error.issues));
  return parsed.data;
}

/** The structure and every actor's config; the topology keeps the configs as written. */
export async function parseTopology(raw: unknown, where: string): Promise<Topology> {
  const topology = parseTopologyShape(raw, where);
  const issues: z.core.$ZodIssue[] = [];
  for (const [name, spec] of Object.entries(topology.actors)) {
    const def = await ACTORS[spec.kind]();
    const parsed = def.config.safeParse(spec.config);
    if (!parsed.success) issues.push(...parsed.error.issues.map((i: z.core.$ZodIssue) => ({ ...i, path: ['actors', name, 'config', ...i.path] })));
  }
  if (issues.length) throw invalid(where, formatIssues(issues));
  return topology;
}

/** The file's JSON, unchecked. */
export function readTopologyJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new TopologyFileError('TOPOLOGY_UNREADABLE', `cannot read topology ${path}: ${(err as Error).message}`);
  }
}

export async function loadTopology(path: string): Promise<Topology> {
  return parseTopology(readTopologyJson(path), path);
}

export function loadTopologyShape(path: string): Topology {
  return parseTopologyShape(readTopologyJson(path), path);
}
