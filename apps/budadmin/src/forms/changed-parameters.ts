import { SECRET_MASK } from '@bud/contracts';
import type { FormField } from './schema-form';
import { formProblems } from './schema-form';

const isBlank = (value: unknown) => value === undefined || value === null || value === '';

/**
 * The parameters an update sends: only the values the user changed, since the server merges them over
 * the current ones. A secret still showing the mask is left out, so its stored value stays; a blank
 * field is left out too (an update cannot unset a value).
 */
export function changedParameters(
  fields: FormField[],
  current: Readonly<Record<string, unknown>>,
  values: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const field of fields) {
    const value = values[field.name];
    if (isBlank(value) || (field.kind === 'password' && value === SECRET_MASK)) continue;
    if (JSON.stringify(value) !== JSON.stringify(current[field.name])) changed[field.name] = value;
  }
  return changed;
}

/** The form's problems, except on a secret still showing the mask: it is not sent, so its stored value stands. */
export function updateProblems(fields: FormField[], values: Readonly<Record<string, unknown>>): Record<string, string> {
  const problems = formProblems(fields, values);
  for (const field of fields) if (field.kind === 'password' && values[field.name] === SECRET_MASK) delete problems[field.name];
  return problems;
}
