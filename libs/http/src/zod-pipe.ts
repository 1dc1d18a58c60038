import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { AppError, validationErrorFrom } from '@bud/errors';

/** Validates a body, query or params object at the edge with a schema from `@bud/contracts`. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    private readonly what = 'request',
  ) {}

  transform(value: unknown, metadata?: ArgumentMetadata): z.infer<S> {
    if (value === undefined && metadata?.type === 'body') {
      throw AppError.validation(`the ${this.what} body is required: send a JSON object`, [{ path: '(root)', message: 'is required' }]);
    }
    const result = this.schema.safeParse(value ?? {});
    if (!result.success) throw validationErrorFrom(result.error, `the ${this.what}`);
    return result.data;
  }
}
