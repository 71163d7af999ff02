// The demo flow's message: a payload carried through a chain of stages, each appending its name.
import { z } from 'zod';
import { Envelope } from './common.ts';

export const DemoItem = Envelope.extend({
  kind: z.literal('demo'),
  seq: z.int().min(0),
  payload: z.string(),
  hops: z.array(z.string()),
});
export type DemoItem = z.infer<typeof DemoItem>;
