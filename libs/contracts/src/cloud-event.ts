import { z } from 'zod';

/** CloudEvents 1.0 structured-mode envelope, as Dapr delivers it to a subscription route. */
export const cloudEventSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1),
  source: z.string().min(1),
  type: z.string().min(1),
  time: z.string().optional(),
  datacontenttype: z.string().optional(),
  topic: z.string().optional(),
  pubsubname: z.string().optional(),
  data: z.unknown(),
});
export type CloudEvent<T = unknown> = Omit<z.infer<typeof cloudEventSchema>, 'data'> & { data: T };
