import { RequestMethod } from '@nestjs/common';
import { z } from 'zod';
import { errorBodySchema } from '@bud/contracts';

export interface OperationMeta {
  summary: string;
  body?: z.ZodType;
  query?: z.ZodType;
  response?: z.ZodType;
  status?: number;
  public?: boolean;
}

const OPERATION = Symbol('bud:operation');

/** Describes a route for the OpenAPI document with the same zod schemas that validate it. */
export function Operation(meta: OperationMeta): MethodDecorator {
  return (_target, _key, descriptor) => {
    Reflect.defineMetadata(OPERATION, meta, descriptor.value as object);
    return descriptor;
  };
}

export function operationOf(handler: object): OperationMeta | undefined {
  return Reflect.getMetadata(OPERATION, handler) as OperationMeta | undefined;
}

const methodNames: Partial<Record<RequestMethod, string>> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.PATCH]: 'patch',
  [RequestMethod.DELETE]: 'delete',
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any' });
}

function joinPath(...parts: string[]): string {
  const path = `/${parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/')}`;
  return path.replace(/:([A-Za-z_]+)/g, '{$1}');
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function buildOpenApiDocument(title: string, version: string, controllers: Function[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorResponse = { description: 'error', content: { 'application/json': { schema: jsonSchema(errorBodySchema, 'output') } } };
  for (const controller of controllers) {
    const base = (Reflect.getMetadata('path', controller) as string | undefined) ?? '';
    const proto = controller.prototype as Record<string, unknown>;
    for (const key of Object.getOwnPropertyNames(proto)) {
      const handler = proto[key];
      if (typeof handler !== 'function' || key === 'constructor') continue;
      const method = Reflect.getMetadata('method', handler) as RequestMethod | undefined;
      const routePath = Reflect.getMetadata('path', handler) as string | undefined;
      if (method === undefined || routePath === undefined) continue;
      const meta = operationOf(handler);
      const path = joinPath(base, routePath);
      const parameters = [...path.matchAll(/\{([A-Za-z_]+)\}/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      }));
      if (meta?.query) {
        const query = jsonSchema(meta.query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
        for (const [name, schema] of Object.entries(query.properties ?? {})) {
          parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema: schema as { type: string } });
        }
      }
      const status = String(meta?.status ?? (method === RequestMethod.POST ? 201 : 200));
      const operation: Record<string, unknown> = {
        operationId: `${controller.name.replace(/Controller$/, '')}_${key}`,
        summary: meta?.summary ?? key,
        tags: [controller.name.replace(/Controller$/, '')],
        parameters,
        responses: {
          [status]: {
            description: 'success',
            ...(meta?.response ? { content: { 'application/json': { schema: jsonSchema(meta.response, 'output') } } } : {}),
          },
          default: errorResponse,
        },
        ...(meta?.public ? { security: [] } : {}),
      };
      if (meta?.body)
        operation.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(meta.body, 'input') } } };
      const name = methodNames[method];
      if (name) (paths[path] ??= {})[name] = operation;
    }
  }
  return {
    openapi: '3.1.0',
    info: { title, version },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
