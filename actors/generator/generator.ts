// generator: pulls tasks, samples G responses per task with exactly the policy version the
// task names (loading it from the object store when it changes), and publishes each rollout
// with that version, on a subject of the task's domain. Before sampling it takes room in the
// verifiers' window (maxUnverified over every verifier durable together, split across
// generator instances), so rollouts in flight stay bounded. Prompts and replies go through the
// run's prompt format (promptFormatDir: the model's own tokenizer and chat template, or the
// embedded byte-level format), loaded once; a reply ends at one of its tokenizer's stop ids.
import { bufferTime, concatMap, filter, from, fromEvent, lastValueFrom, takeUntil } from 'rxjs';
import type { Rollout } from '../../contracts/rollout.ts';
import { Task } from '../../contracts/task.ts';
import { Generator } from '../../ops/model/generator.ts';
import { bytePromptFormat, checkFormatFits, loadPromptFormat, samplingIdsOf } from '../../ops/recipe/template.ts';
import { InFlightWindow } from '../../streams/backpressure.ts';
import { ensureConsumer } from '../../streams/manager.ts';
import { countPullRetry } from '../consume.ts';
import { type Delivery, source$ } from '../../streams/source.ts';
import { latestAnnounced, loadAnnounced, PolicyStoreError } from '../policy-store.ts';
import { desiredTotal } from '../control.ts';
import { rlSubjects } from '../rl-subjects.ts';
import type { ActorDefinition } from '../runtime.ts';
import { verifierDurables } from '../verifier/config.ts';
import { GeneratorConfig, promptFormatDir } from './config.ts';
import { fnv1a32 } from '../../ops/hash.ts';

function seedOf(text: string): number {
  return fnv1a32(text);
}

export const generator: ActorDefinition<typeof GeneratorConfig> = {
  kind: 'generator',
  config: GeneratorConfig,
  async run(ctx, cfg) {
    const subjects = rlSubjects(ctx.names, ctx.runId);
    // Generators of every host share the run's window: each gets its part, counted from the
    // instances asked for on every host when it starts (the topology's count if none is stored).
    const instances = Math.max(1, (await desiredTotal(ctx.nc, ctx.names, ctx.actor)) ?? ctx.topology.actors[ctx.actor].instances);
    const window = new InFlightWindow(ctx.jsm, ctx.names.streams.rollouts.name, verifierDurables(ctx.topology), Math.max(1, Math.floor(ctx.topology.maxUnverified / instances)));
    let gen: Generator | null = null;
    let loaded = -1;
    // The run's prompt format, once (a real tokenizer takes a second or two to load).
    const formatDir = cfg.tokenizer ?? promptFormatDir(ctx.topology);
    const format = formatDir === null ? bytePromptFormat : loadPromptFormat(formatDir);
    if (format.tokenizer.kind === 'hf') ctx.log(`prompt format: the chat template and tokenizer of ${formatDir} (${format.tokenizer.vocabSize} ids, stop ids ${format.tokenizer.stopIds.join(', ')})`);
    const durable = 'generator';
    await ensureConsumer(ctx.jsm, {
      stream: ctx.names.streams.prompts.name,
      durable,
      filterSubject: subjects.all('prompts'),
      ackWaitMs: cfg.ackWaitMs,
      maxAckPending: 4096,
    });

    const load = async (version: number) => {
      if (version === loaded) return;
      const p = await loadAnnounced(ctx.nc, ctx.names, ctx.runId, version);
      if (!gen) {
        checkFormatFits(format, p.config, `policy v${version} (prompt format of ${formatDir ?? 'the embedded byte-level policy'})`);
        gen = await Generator.create(p.config, p.params, { threads: cfg.threads, spinWait: cfg.spinWait, maxBatch: 256, maxSeqLen: p.config.max_position_embeddings, ...samplingIdsOf(format, p.config) });
      } else gen.setWeights(p.params);
      loaded = version;
      ctx.metrics.set('policy/version', version);
      ctx.log(`loaded policy v${version} (${p.digest.slice(0, 12)})`);
    };

    // A generator that starts mid-run (restarted, scaled up, or on a host that joined) loads the
    // current version before it takes a task: a task it held while fetching weights (from the
    // object store, on another host) would wait out its ack time.
    const current = await latestAnnounced(ctx.nc, ctx.names, ctx.runId);
    if (current !== null) await load(current);

    const sampleTasks = async (tasks: Delivery<Task>[]) => {
      const version = tasks[0].value.policyVersion;
      await load(version);
      // Each task's prompt tokenized once, for its G rows and its rollouts.
      const rows = tasks.flatMap((d) => {
        const prompt = format.promptTokens(d.value.prompt);
        return Array.from({ length: d.value.groupSize }, (_, index) => ({ task: d.value, index, prompt }));
      });
      // Never more rows at once than the window holds, or the acquire below could not finish.
      for (let start = 0; start < rows.length; start += window.max) {
        const part = rows.slice(start, start + window.max);
        const tWait = performance.now();
        for (let i = 0; i < part.length; i++) await window.acquire(ctx.drain);
        ctx.metrics.inc('generator/window_wait_ms', performance.now() - tWait); // blocked on the verifiers' window
        const t0 = performance.now();
        const out = await gen!.sample(part.map((r) => r.prompt), {
          maxNewTokens: Math.max(...part.map((r) => r.task.maxResponseTokens)),
          temperature: cfg.temperature,
          topP: cfg.topP,
          // Each rollout's own seed: its sample does not depend on how tasks were batched.
          rowSeeds: part.map((r) => seedOf(`${ctx.topology.seed}:${r.task.groupId}:${r.index}`)),
        });
        const genMs = performance.now() - t0;
        let tokens = 0;
        await Promise.all(
          part.map(async (r, i) => {
            const t = r.task;
            tokens += out.tokens[i].length;
            const rollout: Rollout = {
              kind: 'rollout',
              id: `${t.groupId}.${r.index}`,
              runId: t.runId,
              step: t.step,
              policyVersion: version,
              ts: Date.now(),
              taskId: t.taskId,
              groupId: t.groupId,
              groupIndex: t.groupIndex,
              index: r.index,
              groupSize: t.groupSize,
              domain: t.domain,
              gold: t.gold,
              tests: t.tests,
              response: format.responseText(out.tokens[i]),
              promptTokens: Array.from(r.prompt),
              responseTokens: Array.from(out.tokens[i]),
              logprobs: Array.from(out.logprobs[i]),
              finished: out.finished[i],
              generator: ctx.instance,
              genMs,
            };
            await ctx.sink.publish(subjects.rollouts(t.domain, t.step, t.groupId), rollout);
            window.done();
          }),
        );
        ctx.metrics.inc('generator/rollouts', part.length);
        ctx.metrics.inc('generator/tokens', tokens);
        ctx.metrics.set('generator/tokens_per_s', tokens / (genMs / 1000));
        ctx.metrics.inc('generator/busy_ms', genMs);
        ctx.metrics.set('generator/window_waits', window.waits);
        ctx.metrics.set('generator/max_in_flight_seen', window.maxSeen);
      }
    };

    const handle = async (batch: Delivery<Task>[]) => {
      // Tasks of one batch are sampled per policy version (one version per step when strict).
      const byVersion = new Map<number, Delivery<Task>[]>();
      for (const d of batch) byVersion.set(d.value.policyVersion, [...(byVersion.get(d.value.policyVersion) ?? []), d]);
      for (const group of byVersion.values()) {
        try {
          await sampleTasks(group);
          for (const d of group) d.ack();
          ctx.metrics.inc('generator/tasks', group.length);
        } catch (err) {
          const missing = err instanceof PolicyStoreError && err.code === 'MISSING_VERSION';
          if (!missing && !ctx.drain.aborted) throw err;
          // Weights not announced yet, or draining: hand the tasks back.
          for (const d of group) d.nak(missing ? 500 : 0);
        }
      }
    };

    const input$ = source$({
      js: ctx.js,
      stream: ctx.names.streams.prompts.name,
      durable,
      schema: Task,
      capacity: cfg.tasksPerBatch,
      deadLetters: { sink: ctx.sink, subject: ctx.deadLetterSubject },
      onTransientError: countPullRetry(ctx, 'generator'),
    });
    try {
      await lastValueFrom(
        input$.pipe(
          takeUntil(fromEvent(ctx.drain, 'abort')),
          bufferTime(cfg.lingerMs, null, cfg.tasksPerBatch),
          filter((b) => b.length > 0),
          concatMap((b) => from(handle(b))),
        ),
        { defaultValue: undefined },
      );
    } finally {
      await (gen as Generator | null)?.dispose();
    }
  },
};
