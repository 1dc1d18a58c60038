import { Form, Input, InputNumber, Select, Switch } from 'antd';
import { displayValue } from '../forms/display-value';
import type { FormField } from '../forms/schema-form';

interface Props {
  fields: FormField[];
  values: Record<string, unknown>;
  problems: Record<string, string>;
  onChange: (name: string, value: unknown) => void;
}

function placeholderOf(field: FormField): string | undefined {
  if (field.kind === 'password') return undefined;
  return field.defaultValue === undefined ? undefined : `default: ${displayValue(field.defaultValue)}`;
}

/** A form generated from the template's parameter JSON Schema; messages sit under their field. */
export function ParameterForm({ fields, values, problems, onChange }: Props) {
  if (fields.length === 0) return <p>This template has no parameters.</p>;
  return (
    <Form layout="vertical" component="div">
      {fields.map((field) => (
        <Form.Item
          key={field.name}
          label={field.label}
          required={field.required && field.defaultValue === undefined}
          tooltip={field.description}
          validateStatus={problems[field.name] ? 'error' : undefined}
          help={problems[field.name] ? `${field.label} ${problems[field.name]}` : field.description}
          htmlFor={`param-${field.name}`}
        >
          {renderInput(field, values[field.name], (value) => onChange(field.name, value))}
        </Form.Item>
      ))}
    </Form>
  );
}

function renderInput(field: FormField, value: unknown, change: (value: unknown) => void) {
  const id = `param-${field.name}`;
  switch (field.kind) {
    case 'integer':
    case 'number':
      return (
        <InputNumber
          id={id}
          data-param={field.name}
          style={{ width: '100%' }}
          value={typeof value === 'number' ? value : null}
          placeholder={placeholderOf(field)}
          min={field.schema.minimum}
          max={field.schema.maximum}
          step={field.kind === 'integer' ? 1 : 0.1}
          onChange={(next) => change(next ?? undefined)}
        />
      );
    case 'boolean':
      return (
        <Switch
          id={id}
          data-param={field.name}
          checked={typeof value === 'boolean' ? value : field.defaultValue === true}
          onChange={(next) => change(next)}
        />
      );
    case 'select':
      return (
        <Select
          id={id}
          data-param={field.name}
          value={value as string | number | undefined}
          placeholder={placeholderOf(field)}
          allowClear
          options={(field.options ?? []).map((o) => ({ value: o, label: String(o) }))}
          onChange={(next) => change(next)}
        />
      );
    case 'list':
      // With options: pick any of them (none is a valid choice); without: type free items.
      return (
        <Select
          id={id}
          data-param={field.name}
          mode={field.options ? 'multiple' : 'tags'}
          value={Array.isArray(value) ? (value as string[]) : Array.isArray(field.defaultValue) ? (field.defaultValue as string[]) : []}
          allowClear
          options={(field.options ?? []).map((o) => ({ value: o, label: String(o) }))}
          onChange={(next: string[]) => change(next)}
        />
      );
    case 'password':
      return (
        <Input.Password
          id={id}
          data-param={field.name}
          autoComplete="new-password"
          value={(value as string | undefined) ?? ''}
          onChange={(e) => change(e.target.value)}
        />
      );
    case 'text':
      return (
        <Input
          id={id}
          data-param={field.name}
          value={(value as string | undefined) ?? ''}
          placeholder={placeholderOf(field)}
          onChange={(e) => change(e.target.value)}
        />
      );
    default: {
      const unreachable: never = field.kind;
      return <span>unsupported field {String(unreachable)}</span>;
    }
  }
}
