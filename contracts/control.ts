// Control commands to a running topology (`ace scale`, `ace down`), kept in the run KV
// bucket where the supervisor watches them (actors/control.ts).
import { z } from 'zod';
import { Envelope } from './common.ts';

export const ControlCommand = Envelope.extend({
  kind: z.literal('control'),
  command: z.discriminatedUnion('type', [
    z.object({ type: z.literal('scale'), actor: z.string(), instances: z.int().min(0).max(64) }),
    z.object({ type: z.literal('down') }),
  ]),
});
export type ControlCommand = z.infer<typeof ControlCommand>;
