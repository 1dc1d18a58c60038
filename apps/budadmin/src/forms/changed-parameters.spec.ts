import { SECRET_MASK } from '@bud/contracts';
import { changedParameters, updateProblems } from './changed-parameters';
import { formFields } from './schema-form';

const fields = formFields({
  properties: {
    model_id: { type: 'string' },
    top_k: { type: 'integer' },
    api_key: { type: 'string', writeOnly: true },
    tracing: { type: 'boolean' },
  },
});
const current = { model_id: 'a/b', top_k: 4, api_key: SECRET_MASK, tracing: false };

describe('changedParameters', () => {
  it('sends nothing when nothing was touched: the masked secret stays as stored', () => {
    expect(changedParameters(fields, current, { ...current })).toEqual({});
  });

  it('sends only the values that differ, a new secret among them', () => {
    expect(changedParameters(fields, current, { ...current, top_k: 8, api_key: 'sk-new', tracing: true })).toEqual({
      top_k: 8,
      api_key: 'sk-new',
      tracing: true,
    });
  });

  it('leaves out a field the user blanked: an update cannot unset a value', () => {
    expect(changedParameters(fields, current, { ...current, model_id: '' })).toEqual({});
  });
});

describe('updateProblems', () => {
  const strict = formFields({
    properties: { api_key: { type: 'string', writeOnly: true, pattern: '^sk-' } },
    required: ['api_key'],
  });

  it('does not judge a masked secret by its pattern, but does judge a new value', () => {
    expect(updateProblems(strict, { api_key: SECRET_MASK })).toEqual({});
    expect(updateProblems(strict, { api_key: 'nope' })).toEqual({ api_key: 'must match ^sk-' });
  });
});
