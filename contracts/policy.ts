// Announcement of a new policy version. Weights never travel in the data path: they sit in
// the object store (or a file or URL for large models) and this message points at them.
import { z } from 'zod';
import { Envelope } from './common.ts';

export const WeightsLocation = z.discriminatedUnion('type', [
  z.object({ type: z.literal('object-store'), bucket: z.string(), name: z.string() }),
  z.object({ type: z.literal('file'), path: z.string() }),
  z.object({ type: z.literal('url'), url: z.url() }),
]);
export type WeightsLocation = z.infer<typeof WeightsLocation>;

export const PolicyUpdate = Envelope.extend({
  kind: z.literal('policy-update'),
  /** sha256 of the safetensors bytes, hex. */
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.int().min(0),
  format: z.literal('safetensors'),
  location: WeightsLocation,
});
export type PolicyUpdate = z.infer<typeof PolicyUpdate>;
