import { buildOpenApiDocument } from '@bud/http';
import { budusecasesControllers } from './budusecases.module';

/** budusecases' OpenAPI document: served at /api/docs, linted by `npm run lint:openapi`. */
export function budusecasesOpenApiDocument(): Record<string, unknown> {
  return buildOpenApiDocument('budusecases', '0.1.0', budusecasesControllers);
}
