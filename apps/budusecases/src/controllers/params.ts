import { z } from 'zod';
import { slugSchema } from '@bud/contracts';

/** Components and templates are addressed by slug (docs/design.md#urls). */
export const slugParamsSchema = z.object({ id: slugSchema }).strict();
