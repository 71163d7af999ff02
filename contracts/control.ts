// Control commands to a running topology, carried on the control subject.
import { z } from 'zod';
import { Envelope } from './common.ts';

export const ControlCommand = Envelope.extend({
  kind: z.literal('control'),
  command: z.discriminatedUnion('type', [
    z.object({ type: z.literal('scale'), actor: z.string(), instances: z.int().min(0).max(64) }),
    z.object({ type: z.literal('down') }),
    z.object({ type: z.literal('drain'), actor: z.string(), instance: z.string().optional() }),
  ]),
});
export type ControlCommand = z.infer<typeof ControlCommand>;
