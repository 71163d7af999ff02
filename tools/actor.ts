// `ace actor --topology FILE --actor NAME --instance ID --nats URL --run-id RUN`: one actor
// process, as the supervisor starts it. Exit 0 when drained or done, 1 when failed.
import { ACTORS } from '../actors/registry.ts';
import { runActor } from '../actors/runtime.ts';
import { args, cli, CliError } from './session.ts';
import { loadTopology } from './topology-file.ts';

export async function run(argv: string[]): Promise<number> {
  return cli(async () => {
    const { values } = args(argv, {
      topology: { type: 'string' },
      actor: { type: 'string' },
      instance: { type: 'string' },
      nats: { type: 'string' },
      'run-id': { type: 'string' },
    });
    for (const k of ['topology', 'actor', 'instance', 'nats', 'run-id'] as const) {
      if (!values[k]) throw new CliError('BAD_ARGS', `--${k} is required`);
    }
    const topology = loadTopology(values.topology!);
    const spec = topology.actors[values.actor!];
    if (!spec) throw new CliError('BAD_ARGS', `actor '${values.actor}' is not in ${values.topology} (has: ${Object.keys(topology.actors).join(', ')})`);
    const def = await ACTORS[spec.kind]();
    return runActor(def, {
      natsUrl: values.nats!,
      topology,
      runId: values['run-id']!,
      actor: values.actor!,
      instance: values.instance!,
    });
  });
}
