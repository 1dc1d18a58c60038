import { z } from 'zod';
import { checkContract } from './api-client';

const item = z.object({ id: z.string(), version: z.number().int() });

describe('checking an answer against its contract', () => {
  it('accepts a success body that parses, unknown keys included', () => {
    expect(() => checkContract('GET /x', 200, { id: 'a', version: 1, extra: true }, item)).not.toThrow();
  });

  it('names the route and the field of a success body that drifted', () => {
    expect(() => checkContract('GET /x', 200, { id: 'a', version: '1' }, item)).toThrow(
      /GET \/x answered 200 outside its contract: version:/,
    );
  });

  it('holds an error answer to the error body', () => {
    expect(() => checkContract('GET /x', 404, { status_code: 404, error: 'not_found', message: 'no x' }, item)).not.toThrow();
    expect(() => checkContract('GET /x', 404, { message: 'no x' }, item)).toThrow(/answered 404 outside its contract/);
  });

  it('expects no body from a 204', () => {
    expect(() => checkContract('DELETE /x', 204, undefined, item)).not.toThrow();
  });
});
