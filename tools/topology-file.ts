// Reads and validates a topology file; every problem names the field and, for choices,
// the allowed values (zod's enum message lists them).
import { readFileSync } from 'node:fs';
import { formatIssues } from '../contracts/issues.ts';
import { Topology } from '../contracts/topology.ts';
import { CodedError } from '../ops/errors.ts';

export class TopologyFileError extends CodedError<'TOPOLOGY_UNREADABLE' | 'TOPOLOGY_INVALID'> {}

export function parseTopology(raw: unknown, where: string): Topology {
  const parsed = Topology.safeParse(raw);
  if (!parsed.success) {
    throw new TopologyFileError(
      'TOPOLOGY_INVALID',
      `invalid topology ${where}:\n  ${formatIssues(parsed.error.issues).join('\n  ')}\nHINT: see topologies/demo.json for a valid file`,
    );
  }
  return parsed.data;
}

export function loadTopology(path: string): Topology {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new TopologyFileError('TOPOLOGY_UNREADABLE', `cannot read topology ${path}: ${(err as Error).message}`);
  }
  return parseTopology(raw, path);
}
