import { RequestMethod } from '@nestjs/common';
import { z } from 'zod';
import { errorBodySchema } from '@bud/contracts';

/** The 4xx and 503 statuses a route can answer, always in the shared error body (`ErrorBody` in libs/contracts). */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 503;

export interface OperationMeta {
  summary: string;
  body?: z.ZodType;
  query?: z.ZodType;
  response?: z.ZodType;
  status?: number;
  public?: boolean;
  /**
   * Error statuses the route gives beyond those its shape implies (see `errorStatusesOf`): 409 where its
   * resource's state can refuse it (conflict, invalid_transition, read_only), 401/503 for a public route that
   * checks its own credentials or reads the database.
   */
  errors?: readonly ErrorStatus[];
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

const errorDescriptions: Record<ErrorStatus, string> = {
  400: 'bad_request: the body is not valid JSON',
  401: 'unauthenticated: no valid bearer token',
  403: 'forbidden: the caller lacks the scope, tenant or service identity for this',
  404: 'not_found: nothing with this id that the caller can see',
  409: "conflict, invalid_transition or read_only: the resource's current state refuses this",
  413: 'payload_too_large: the body exceeds 1 MiB',
  415: 'unsupported_media_type: the body is not application/json (or a +json type)',
  422: 'validation_failed: the body, path or query is invalid (an undeclared query parameter too); details name each field',
  503: 'service_unavailable or upstream_unavailable: the database or a service this one calls is down; retry later',
};

/**
 * The error statuses a route can give, derived from what its decorators say: every route refuses an undeclared
 * query parameter (422, StrictQueryGuard); authenticated ones refuse a missing or wrong token (401) or
 * scope (403) and read the database (503 while it is down); a path id may name nothing (404); a body may be
 * malformed JSON (400), too large (413), not JSON (415) or invalid (422). `meta.errors` adds the rest.
 */
export function errorStatusesOf(meta: OperationMeta | undefined, hasPathParameters: boolean): ErrorStatus[] {
  const statuses = new Set<ErrorStatus>([422]);
  if (!meta?.public) for (const status of [401, 403, 503] as const) statuses.add(status);
  if (hasPathParameters) statuses.add(404);
  if (meta?.body) for (const status of [400, 413, 415] as const) statuses.add(status);
  for (const status of meta?.errors ?? []) statuses.add(status);
  return [...statuses].sort((a, b) => a - b);
}

export const ERROR_BODY_REF = '#/components/schemas/ErrorBody';

function errorResponse(description: string): Record<string, unknown> {
  return { description, content: { 'application/json': { schema: { $ref: ERROR_BODY_REF } } } };
}

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

/**
 * The service's OpenAPI 3.1 document, served at /api/docs. Every operation lists the errors it can give
 * (`errorStatusesOf`) and a default (500 internal_error) in the shared error schema, `components.schemas.ErrorBody`.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function buildOpenApiDocument(title: string, version: string, controllers: Function[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
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
      const hasPathParameters = parameters.length > 0;
      if (meta?.query) {
        const query = jsonSchema(meta.query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
        for (const [name, schema] of Object.entries(query.properties ?? {})) {
          parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema: schema as { type: string } });
        }
      }
      const status = String(meta?.status ?? (method === RequestMethod.POST ? 201 : 200));
      const errors = errorStatusesOf(meta, hasPathParameters);
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
          ...Object.fromEntries(errors.map((code) => [String(code), errorResponse(errorDescriptions[code])])),
          default: errorResponse("internal_error: an unexpected failure; the body's error_id is in the service's log"),
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
    info: { title, version, license: { name: 'Apache-2.0', identifier: 'Apache-2.0' } },
    // Relative: the document is served by the service it describes (GET /api/docs-json), wherever that listens.
    servers: [{ url: '/', description: `this ${title} service` }],
    components: {
      schemas: { ErrorBody: jsonSchema(errorBodySchema, 'output') },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
    security: [{ bearer: [] }],
    paths,
  };
}
