import { unsupportedBodyError } from './json-body';

describe('unsupportedBodyError', () => {
  it.each([
    ['no body at all', {}, null],
    ['an empty body with a text type', { 'content-length': '0', 'content-type': 'text/plain' }, null],
    ['JSON', { 'content-length': '2', 'content-type': 'application/json' }, null],
    ['JSON with a charset, in capitals', { 'content-length': '2', 'content-type': 'Application/JSON; charset=utf-8' }, null],
    ['a CloudEvent', { 'content-length': '2', 'content-type': 'application/cloudevents+json' }, null],
    ['chunked JSON', { 'transfer-encoding': 'chunked', 'content-type': 'application/json' }, null],
    ['text', { 'content-length': '2', 'content-type': 'text/plain' }, 'unsupported_media_type'],
    ['a form', { 'content-length': '2', 'content-type': 'application/x-www-form-urlencoded' }, 'unsupported_media_type'],
    ['a body without a content type', { 'content-length': '2' }, 'unsupported_media_type'],
    ['chunked text', { 'transfer-encoding': 'chunked', 'content-type': 'text/plain' }, 'unsupported_media_type'],
    ['a JSON lookalike', { 'content-length': '2', 'content-type': 'application/jsonp' }, 'unsupported_media_type'],
  ])('%s', (_name, headers, code) => {
    expect(unsupportedBodyError(headers)?.code ?? null).toBe(code);
  });
});
