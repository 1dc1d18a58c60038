import { buildOpenApiDocument } from '@bud/http';
import { budclusterControllers } from './budcluster.module';

/** budcluster's OpenAPI document: served at /api/docs, linted by `npm run lint:openapi`. */
export function budclusterOpenApiDocument(): Record<string, unknown> {
  return buildOpenApiDocument('budcluster', '0.1.0', budclusterControllers);
}
