// `ace actor --topology FILE --actor NAME --instance ID --nats URL --run-id RUN`: one actor
// process, as the supervisor starts it. Exit 0 when drained or done, 1 when failed, 75 when
// failed on a broker error that passes (restarted, not counted toward a crash loop).
import { ACTORS } from '../actors/registry.ts';
import { EXIT_TRANSIENT, runActor } from '../actors/runtime.ts';
import { isTransientNatsError } from '../streams/manager.ts';
import { z } from 'zod';
import { defineCommand } from './command.ts';
import { CliError } from './session.ts';
import { loadTopologyShape } from './topology-file.ts';

const required = (what: string) => z.string({ error: `${what} is required` }).min(1);

export const command = defineCommand({
  name: 'actor',
  summary: 'run one actor process, as the supervisor of `ace up` starts it',
  description: 'Exit 0 when drained or done, 1 when failed, 75 when failed on a broker error that passes (an election).',
  flags: {
    topology: { schema: required('--topology'), help: 'topology file', value: 'FILE' },
    actor: { schema: required('--actor'), help: 'actor name in the topology', value: 'NAME' },
    instance: { schema: required('--instance'), help: 'instance id (unique in the run)', value: 'ID' },
    nats: { schema: required('--nats'), help: 'NATS URL', value: 'URL' },
    'run-id': { schema: required('--run-id'), help: 'run id', value: 'ID' },
  },
  examples: ['ace actor --topology .ace/topology.json --actor verifier --instance verifier-0 --nats nats://127.0.0.1:4222 --run-id r1'],
  async run(values) {
    // `ace up` checked every actor's config before starting any; this one checks its own.
    const topology = loadTopologyShape(values.topology!);
    const spec = topology.actors[values.actor!];
    if (!spec) throw new CliError('BAD_ARGS', `actor '${values.actor}' is not in ${values.topology} (has: ${Object.keys(topology.actors).join(', ')})`);
    const def = await ACTORS[spec.kind]();
    try {
      return await runActor(def, {
        natsUrl: values.nats!,
        topology,
        runId: values['run-id']!,
        actor: values.actor!,
        instance: values.instance!,
      });
    } catch (err) {
      // Before the actor ran: its connection, stream or bucket lookups met an election.
      if (!isTransientNatsError(err)) throw err;
      process.stderr.write(`[${values.actor}/${values.instance}] broker not ready: ${(err as Error).message}\n`);
      return EXIT_TRANSIENT;
    }
  },
});
