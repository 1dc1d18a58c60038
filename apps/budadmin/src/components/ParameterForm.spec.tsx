/** @jest-environment jsdom */
import { fireEvent, render, screen } from '@testing-library/react';
import type { JsonSchema } from '../api/client';
import { formFields } from '../forms/schema-form';
import { ParameterForm } from './ParameterForm';
import { stubMatchMedia } from '../../test/support/match-media';

beforeAll(() => {
  stubMatchMedia();
  // antd's Select opens its list in a macrotask and measures it; jsdom has neither API.
  class MacroTaskChannel {
    port1: { onmessage: (() => void) | null } = { onmessage: null };
    port2 = { postMessage: () => setTimeout(() => this.port1.onmessage?.(), 0) };
  }
  class NoResizeObserver {
    observe = () => undefined;
    unobserve = () => undefined;
    disconnect = () => undefined;
  }
  Object.assign(globalThis, { MessageChannel: MacroTaskChannel, ResizeObserver: NoResizeObserver });
});

const schema: JsonSchema = {
  required: ['model_id'],
  properties: {
    model_id: { type: 'string', title: 'LLM Model', description: 'Hugging Face id', 'x-bud-type': 'model_ref' },
    top_k: { type: 'integer', minimum: 1, maximum: 50, default: 5, title: 'Top K', 'x-bud-type': 'integer' },
    streaming: { type: 'boolean', default: true, title: 'Streaming', 'x-bud-type': 'boolean' },
    size: { type: 'string', enum: ['10Gi', '50Gi'], default: '50Gi', title: 'Size', 'x-bud-type': 'enum' },
    api_key: { type: 'string', format: 'password', writeOnly: true, title: 'API key', 'x-bud-type': 'secret' },
  },
};

function renderForm(values: Record<string, unknown> = {}, problems: Record<string, string> = {}) {
  const onChange = jest.fn();
  const view = render(<ParameterForm fields={formFields(schema)} values={values} problems={problems} onChange={onChange} />);
  return { onChange, view };
}

describe('ParameterForm', () => {
  it('renders an input of the right kind for every parameter, labelled', () => {
    const { view } = renderForm();
    expect(screen.getByLabelText('LLM Model')).toHaveProperty('type', 'text');
    expect(screen.getByLabelText('Top K').getAttribute('role')).toBe('spinbutton');
    expect(screen.getByLabelText('Streaming').getAttribute('role')).toBe('switch');
    expect(screen.getByLabelText('API key')).toHaveProperty('type', 'password');
    expect(screen.getByLabelText('Size').getAttribute('role')).toBe('combobox');
    expect(view.container.querySelectorAll('[data-param]')).toHaveLength(Object.keys(schema.properties ?? {}).length);
  });

  it('offers exactly the enum values of a choice, and reports the one picked', async () => {
    const { onChange } = renderForm();
    fireEvent.mouseDown(screen.getByLabelText('Size'));
    const offered = await screen.findAllByRole('option');
    expect(offered.map((option) => option.textContent)).toEqual(['10Gi', '50Gi']);
    fireEvent.click(screen.getByTitle('10Gi'));
    expect(onChange).toHaveBeenCalledWith('size', '10Gi');
  });

  it('marks required parameters without a default, and only those', () => {
    const { view } = renderForm();
    const required = [...view.container.querySelectorAll('.ant-form-item-required')].map((label) => label.textContent);
    expect(required).toEqual(['LLM Model']);
  });

  it('shows defaults as placeholders and never prefills a secret', () => {
    renderForm();
    expect(screen.getByLabelText('Top K').getAttribute('placeholder')).toBe('default: 5');
    expect(screen.getByLabelText('API key')).toHaveProperty('value', '');
  });

  it('shows each problem under its field, prefixed by the label', () => {
    renderForm({ top_k: 99 }, { top_k: 'must be at most 50', model_id: 'is required' });
    expect(screen.getByText('Top K must be at most 50')).toBeTruthy();
    expect(screen.getByText('LLM Model is required')).toBeTruthy();
  });

  it('reports typed values: text as strings, booleans as booleans', () => {
    const { onChange } = renderForm();
    fireEvent.change(screen.getByLabelText('LLM Model'), { target: { value: 'meta-llama/Llama-3.1-8B-Instruct' } });
    expect(onChange).toHaveBeenCalledWith('model_id', 'meta-llama/Llama-3.1-8B-Instruct');
    fireEvent.click(screen.getByLabelText('Streaming'));
    expect(onChange).toHaveBeenCalledWith('streaming', false);
  });

  it('says so when a template has no parameters', () => {
    render(<ParameterForm fields={[]} values={{}} problems={{}} onChange={() => undefined} />);
    expect(screen.getByText('This template has no parameters.')).toBeTruthy();
  });
});
