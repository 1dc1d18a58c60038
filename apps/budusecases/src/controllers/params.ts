import { z } from 'zod';
import { slugSchema } from '@bud/contracts';

/** Components and templates are addressed by slug (brief §3). */
export const slugParamsSchema = z.object({ id: slugSchema }).strict();
