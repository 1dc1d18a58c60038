import { z } from 'zod';
import { AppError } from '@bud/errors';
import { parseQuery } from './query-rules';

const listSchema = z.object({ page: z.string().optional(), status: z.enum(['a', 'b']).optional() });
const refinedSchema = z
  .object({ start: z.string(), end: z.string() })
  .refine((q) => q.end > q.start, { path: ['end'], message: 'must be after start' });

function detailsOf(run: () => unknown): Array<{ path: string; message: string }> {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError && error.code === 'validation_failed') return error.details ?? [];
    throw error;
  }
  throw new Error('the query was accepted');
}

describe('parseQuery', () => {
  it.each([
    ['a route without a query schema, given nothing', undefined, {}, {}],
    ['declared parameters', listSchema, { page: '2', status: 'a' }, { page: '2', status: 'a' }],
    ['a refined schema (not a plain object)', refinedSchema, { start: 'a', end: 'b' }, { start: 'a', end: 'b' }],
  ])('accepts %s', (_name, schema, query, parsed) => {
    expect(parseQuery(schema, query)).toEqual(parsed);
  });

  it.each([
    ['any parameter on a route without a query schema', undefined, { dry_run: 'true' }, 'query.dry_run', 'is not a known query parameter'],
    [
      'an undeclared parameter beside declared ones',
      listSchema,
      { page: '1', bogus: '1' },
      'query.bogus',
      'is not a known query parameter',
    ],
    [
      'an undeclared parameter even when the schema is not strict',
      listSchema.loose(),
      { sort: 'x' },
      'query.sort',
      'is not a known query parameter',
    ],
    [
      'an undeclared parameter on a refined schema',
      refinedSchema,
      { start: 'a', end: 'b', tz: 'x' },
      'query.tz',
      'is not a known query parameter',
    ],
    ['a bad value of a declared parameter', listSchema, { status: 'c' }, 'query.status', ''],
    ['a refinement', refinedSchema, { start: 'b', end: 'a' }, 'query.end', 'must be after start'],
    ['a repeated parameter (an array where a string is expected)', listSchema, { page: ['1', '2'] }, 'query.page', ''],
  ])('refuses %s, naming it', (_name, schema, query, path, message) => {
    expect(detailsOf(() => parseQuery(schema, query))).toEqual(
      expect.arrayContaining([{ path, message: expect.stringContaining(message) }]),
    );
  });
});
