import type { ZodError } from 'zod';
import type { ErrorDetail } from './app-error';
import { AppError } from './app-error';

/** `['components', 2, 'config', 'size']` → `components[2].config.size` */
export function formatPath(path: ReadonlyArray<PropertyKey>, prefix = ''): string {
  let out = prefix;
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out || '(root)';
}

export function zodIssuesToDetails(error: ZodError, prefix = ''): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) details.push({ path: formatPath([...issue.path, key], prefix), message: 'is not a known field' });
    } else {
      details.push({ path: formatPath(issue.path, prefix), message: issue.message });
    }
  }
  return details;
}

export function validationErrorFrom(error: ZodError, what: string, prefix = ''): AppError {
  const details = zodIssuesToDetails(error, prefix);
  const first = details[0];
  return AppError.validation(first ? `${what} is invalid: ${first.path} ${first.message}` : `${what} is invalid`, details);
}
