import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { validationErrorFrom } from '@bud/errors';

/** Validates a body, query or params object at the edge with a schema from `@bud/contracts`. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    private readonly what = 'request',
  ) {}

  transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value ?? {});
    if (!result.success) throw validationErrorFrom(result.error, `the ${this.what}`);
    return result.data;
  }
}
