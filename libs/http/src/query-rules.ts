import { z } from 'zod';
import type { ErrorDetail } from '@bud/errors';
import { AppError, formatPath, validationErrorFrom } from '@bud/errors';

/** What a route without a declared query schema accepts: nothing. */
export const noQuerySchema = z.object({}).strict();

const namesBySchema = new WeakMap<z.ZodType, ReadonlySet<string>>();

/** The parameter names a query schema declares, read from its JSON Schema so refined and piped objects work too. */
function declaredNames(schema: z.ZodType): ReadonlySet<string> {
  let names = namesBySchema.get(schema);
  if (!names) {
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown> };
    names = new Set(Object.keys(json.properties ?? {}));
    namesBySchema.set(schema, names);
  }
  return names;
}

/**
 * Parses a request's query strictly: a parameter the route does not declare is refused rather than ignored,
 * because an ignored `?dry_run=true` would apply for real what the caller only wanted to preview.
 */
export function parseQuery<S extends z.ZodType>(schema: S | undefined, query: unknown): z.infer<S> {
  const effective = schema ?? noQuerySchema;
  const given = query !== null && typeof query === 'object' ? Object.keys(query) : [];
  const declared = declaredNames(effective);
  const unknown: ErrorDetail[] = given
    .filter((name) => !declared.has(name))
    .map((name) => ({ path: formatPath([name], 'query'), message: 'is not a known query parameter' }));
  if (unknown.length > 0) throw AppError.validation(`the query is invalid: ${unknown[0].path} ${unknown[0].message}`, unknown);
  const result = effective.safeParse(query ?? {});
  if (!result.success) throw validationErrorFrom(result.error, 'the query', 'query');
  return result.data as z.infer<S>;
}
