import { z } from 'zod';
import { errorBodySchema } from '@bud/contracts';
import { ERROR_BODY_REF } from '@bud/http';
import { budclusterOpenApiDocument } from '../../apps/budcluster/src/budcluster.openapi';
import { budusecasesOpenApiDocument } from '../../apps/budusecases/src/budusecases.openapi';

interface Response {
  content?: Record<string, { schema?: { $ref?: string } }>;
}
interface Document {
  servers?: Array<{ url: string }>;
  components: { schemas: Record<string, unknown> };
  paths: Record<string, Record<string, { responses: Record<string, Response> }>>;
}

const documents: Array<[string, Document]> = [
  ['budcluster', budclusterOpenApiDocument() as unknown as Document],
  ['budusecases', budusecasesOpenApiDocument() as unknown as Document],
];
const operations = documents.flatMap(([service, document]) =>
  Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => [`${service} ${method.toUpperCase()} ${path}`, operation.responses] as const),
  ),
);
const refersToErrorBody = (response: Response): boolean => response.content?.['application/json']?.schema?.$ref === ERROR_BODY_REF;

// What generated clients learn of our errors: every operation names the 4xx it can give, in the shared error body.
describe('the OpenAPI documents tell clients about errors', () => {
  it.each(documents)('%s holds the shared error schema and a server', (_service, document) => {
    expect(document.components.schemas.ErrorBody).toEqual(z.toJSONSchema(errorBodySchema, { io: 'output', unrepresentable: 'any' }));
    expect(document.servers?.length).toBeGreaterThan(0);
  });

  it('lists both services’ operations', () => {
    expect(operations.length).toBeGreaterThanOrEqual(45);
  });

  it.each(operations)('%s declares a 4xx response in the error schema, and every error response uses it', (_name, responses) => {
    const errors = Object.entries(responses).filter(([status]) => status === 'default' || /^[45]\d\d$/.test(status));
    expect(errors.filter(([status]) => /^4\d\d$/.test(status)).length).toBeGreaterThan(0);
    expect(errors.filter(([, response]) => !refersToErrorBody(response)).map(([status]) => status)).toEqual([]);
  });
});
