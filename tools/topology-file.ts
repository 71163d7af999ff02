// Reads and validates a topology file, in full before anything starts: its structure and each
// actor's `config` against that actor's own schema (the definitions load through the registry).
// Every problem names the field path (`actors.learner.config.lr`) and zod's message, which
// gives the accepted range or, for choices, the allowed values. Across actors: each rollout
// domain is judged by at most one verifier actor, each learner stage's domain by exactly one,
// and the generator actors share one prompt format (their `tokenizer`).
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import type { LearnerConfig } from '../actors/learner/config.ts';
import { ACTORS } from '../actors/registry.ts';
import type { VerifierConfig } from '../actors/verifier/config.ts';
import type { GeneratorConfig } from '../actors/generator/config.ts';
import type { Domain } from '../contracts/common.ts';
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
  const configs: { name: string; kind: string; config: unknown }[] = [];
  for (const [name, spec] of Object.entries(topology.actors)) {
    const def = await ACTORS[spec.kind]();
    const parsed = def.config.safeParse(spec.config);
    if (!parsed.success) issues.push(...parsed.error.issues.map((i: z.core.$ZodIssue) => ({ ...i, path: ['actors', name, 'config', ...i.path] })));
    else configs.push({ name, kind: spec.kind, config: parsed.data });
  }
  if (!issues.length) issues.push(...domainIssues(configs), ...tokenizerIssues(configs));
  if (issues.length) throw invalid(where, formatIssues(issues));
  return topology;
}

/**
 * Verifier roles against each other and against the learner: two verifier actors judging one
 * domain would each judge its every rollout (their durables are their own), and a learner
 * whose domain no verifier judges would wait forever for verdicts of its generated rollouts.
 */
function domainIssues(actors: { name: string; kind: string; config: unknown }[]): z.core.$ZodIssue[] {
  const issues: z.core.$ZodIssue[] = [];
  const judgedBy = new Map<Domain, string>();
  for (const a of actors.filter((x) => x.kind === 'verifier')) {
    for (const d of (a.config as VerifierConfig).domains) {
      const other = judgedBy.get(d);
      if (other) {
        issues.push({ code: 'custom', input: d, path: ['actors', a.name, 'config', 'domains'], message: `verifier actors '${other}' and '${a.name}' both judge ${d} rollouts; each rollout must be judged once: give them disjoint domains` });
      } else judgedBy.set(d, a.name);
    }
  }
  // Without a generator no rollout is published (a learner-only topology, as in tests).
  const generates = actors.some((x) => x.kind === 'generator');
  for (const a of actors.filter((x) => generates && x.kind === 'learner')) {
    (a.config as LearnerConfig).stages.forEach((stage, i) => {
      const d = stage.domain;
      if (judgedBy.has(d)) return;
      const roles = [...judgedBy].map(([domain, name]) => `${name}: ${domain}`).join(', ');
      issues.push({ code: 'custom', input: d, path: ['actors', a.name, 'config', 'stages', i, 'domain'], message: `the learner's stage ${i + 1} draws ${d} tasks, but no verifier actor judges ${d} rollouts (${roles || 'no verifier actor'}): add ${d} to a verifier's domains` });
    });
  }
  return issues;
}

/** Generators of one run sample for one learner: they must format prompts alike (the learner measures them with the first one's). */
function tokenizerIssues(actors: { name: string; kind: string; config: unknown }[]): z.core.$ZodIssue[] {
  const gens = actors.filter((x) => x.kind === 'generator');
  const first = gens[0];
  const tok = (a: { config: unknown }) => (a.config as GeneratorConfig).tokenizer;
  return gens
    .filter((a) => tok(a) !== tok(first))
    .map((a) => ({
      code: 'custom' as const,
      input: tok(a),
      path: ['actors', a.name, 'config', 'tokenizer'],
      message: `generator '${a.name}' has tokenizer ${JSON.stringify(tok(a) ?? null)} but '${first.name}' has ${JSON.stringify(tok(first) ?? null)}: the generators of a run share one prompt format; give them the same tokenizer`,
    }));
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
