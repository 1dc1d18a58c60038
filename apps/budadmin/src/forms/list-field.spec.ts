import type { JsonSchema } from '../api/client';
import { changedParameters } from './changed-parameters';
import { fieldProblem, formFields, parametersFrom } from './schema-form';

// What GET /templates/{id}/schema returns for a `list` parameter (apps/budusecases/src/domain/parameter-schema.ts).
const schema: JsonSchema = {
  properties: {
    tools_enabled: {
      type: 'array',
      items: { type: 'string', maxLength: 1000, enum: ['time', 'fetch'] },
      uniqueItems: true,
      maxItems: 200,
      default: ['time'],
      title: 'Tools',
      'x-bud-type': 'list',
    },
    tags: {
      type: 'array',
      items: { type: 'string', maxLength: 5, pattern: '^[a-z]+$' },
      uniqueItems: true,
      minItems: 1,
      maxItems: 2,
      title: 'Tags',
      'x-bud-type': 'list',
    },
  },
};
const [tools, tags] = formFields(schema);

describe('a list parameter in the form', () => {
  it('is a list field whose options are the allowed items', () => {
    expect(tools).toMatchObject({ kind: 'list', options: ['time', 'fetch'], defaultValue: ['time'] });
    expect(tags).toMatchObject({ kind: 'list', options: undefined });
  });

  it.each<[string, unknown, string | null]>([
    ['allowed items', ['fetch', 'time'], null],
    ['no items at all (turns every tool off)', [], null],
    ['a string', 'time', 'must be a list of strings'],
    ['an item outside the options', ['time', 'shell'], 'item 1 must be one of "time", "fetch"'],
    ['a repeated item', ['time', 'time'], 'item 1 repeats an earlier item'],
  ])('judges %s as the server does', (_name, value, expected) => {
    expect(fieldProblem(tools, value)).toBe(expected);
  });

  it('applies item length, pattern and count bounds', () => {
    expect(fieldProblem(tags, [])).toBe('must have at least 1 items');
    expect(fieldProblem(tags, ['a', 'b', 'c'])).toBe('must have at most 2 items');
    expect(fieldProblem(tags, ['abcdef'])).toBe('item 0 must be at most 5 characters');
    expect(fieldProblem(tags, ['A'])).toBe('item 0 must match ^[a-z]+$');
  });

  it('sends an empty list (a choice, not a blank) and only a changed list on update', () => {
    expect(parametersFrom([tools], { tools_enabled: [] })).toEqual({ tools_enabled: [] });
    expect(changedParameters([tools], { tools_enabled: ['time'] }, { tools_enabled: ['time'] })).toEqual({});
    expect(changedParameters([tools], { tools_enabled: ['time'] }, { tools_enabled: ['time', 'fetch'] })).toEqual({
      tools_enabled: ['time', 'fetch'],
    });
  });
});
