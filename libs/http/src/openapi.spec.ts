import 'reflect-metadata';
import { Body, Controller, Get, Post } from '@nestjs/common';
import { z } from 'zod';
import { ERROR_BODY_REF, Operation, buildOpenApiDocument, errorStatusesOf } from './openapi';

const thingSchema = z.object({ name: z.string() });

@Controller('things')
class ThingController {
  @Get(':id')
  @Operation({ summary: 'Get a thing' })
  get(): void {}

  @Post()
  @Operation({ summary: 'Create a thing', body: thingSchema, errors: [409] })
  create(@Body() body: unknown): unknown {
    return body;
  }

  @Get('public/ping')
  @Operation({ summary: 'Ping', public: true })
  ping(): void {}
}

const statusesOf = (path: string, method: string): string[] => {
  const document = buildOpenApiDocument('things', '1', [ThingController]) as {
    paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  };
  return Object.keys(document.paths[path][method].responses);
};

describe('error responses in the OpenAPI document', () => {
  it.each([
    ['a public route without input: only its strict query', { summary: 's', public: true }, false, [422]],
    ['an authenticated route: a token, a scope and the database', { summary: 's' }, false, [401, 403, 422, 503]],
    ['a path id that may name nothing', { summary: 's' }, true, [401, 403, 404, 422, 503]],
    ['a body: malformed, too large, not JSON or invalid', { summary: 's', body: thingSchema }, false, [400, 401, 403, 413, 415, 422, 503]],
    ['what the route adds', { summary: 's', public: true, errors: [401, 503] as const }, false, [401, 422, 503]],
  ])('%s', (_name, meta, hasPathParameters, expected) => {
    expect(errorStatusesOf(meta, hasPathParameters)).toEqual(expected);
  });

  it('puts them, a success and a default in the document, each error in the shared error body', () => {
    expect(statusesOf('/things/{id}', 'get')).toEqual(['200', '401', '403', '404', '422', '503', 'default']);
    expect(statusesOf('/things', 'post')).toEqual(['201', '400', '401', '403', '409', '413', '415', '422', '503', 'default']);
    expect(statusesOf('/things/public/ping', 'get')).toEqual(['200', '422', 'default']);
    const document = buildOpenApiDocument('things', '1', [ThingController]) as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: unknown }> }>>;
    };
    expect(document.paths['/things/{id}'].get.responses['404'].content).toEqual({
      'application/json': { schema: { $ref: ERROR_BODY_REF } },
    });
  });
});
