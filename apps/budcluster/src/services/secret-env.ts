import type { SecretBox } from '@bud/auth';
import { SECRET_MASK } from '@bud/contracts';
import type { JobSpec } from '@bud/contracts';
import type { ErrorDetail } from '@bud/errors';
import { AppError } from '@bud/errors';

/**
 * The sealed values of a spec: `secret_env` by name and the content of its `secret` files by path (a path starts
 * with `/`, an env name never does, so one map holds both).
 */
function secretValuesOf(spec: JobSpec): Record<string, string> {
  if (spec.kind === 'helm') return {};
  const values: Record<string, string> = { ...spec.secret_env };
  for (const file of spec.files ?? []) if (file.secret) values[file.path] = file.content;
  return values;
}

/** The spec as stored and answered: every sealed value replaced by SECRET_MASK. */
function maskedSpec(spec: JobSpec): JobSpec {
  if (spec.kind === 'helm') return spec;
  const masked: JobSpec = { ...spec };
  if (spec.secret_env) masked.secret_env = Object.fromEntries(Object.keys(spec.secret_env).map((name) => [name, SECRET_MASK]));
  if (spec.files) masked.files = spec.files.map((file) => (file.secret ? { ...file, content: SECRET_MASK } : file));
  return masked;
}

/**
 * A new job has no stored value a SECRET_MASK could stand for: storing the mask itself would answer it as if it
 * were hiding a value, and a later update sending the mask back would keep the literal mask.
 */
function refuseMaskedValues(spec: JobSpec): void {
  if (spec.kind === 'helm') return;
  const masked: ErrorDetail[] = [];
  const message = `is ${SECRET_MASK}, the mask answered in place of a secret value; send the value itself`;
  for (const [name, value] of Object.entries(spec.secret_env ?? {}))
    if (value === SECRET_MASK) masked.push({ path: `spec.secret_env.${name}`, message });
  (spec.files ?? []).forEach((file, k) => {
    if (file.secret && file.content === SECRET_MASK) masked.push({ path: `spec.files[${k}].content`, message });
  });
  if (masked.length > 0) throw AppError.validation(`${masked[0]?.path} ${masked[0]?.message}`, masked);
}

/**
 * Splits a spec's `secret_env` and secret files off for sealing: the stored spec keeps their names and paths with
 * masked values (what every answer shows), the values travel sealed to the driver that places the workload. A key
 * may not be in both env maps: which value the container sees would be a guess.
 */
export function sealSecretEnv(
  spec: JobSpec,
  box: SecretBox,
  options: { refuseMask: boolean } = { refuseMask: true },
): { spec: JobSpec; sealed: string | null } {
  if (spec.kind === 'helm') return { spec, sealed: null };
  const values = secretValuesOf(spec);
  if (Object.keys(values).length === 0) return { spec, sealed: null };
  if (options.refuseMask) refuseMaskedValues(spec);
  const clashes = Object.keys(spec.secret_env ?? {}).filter((name) => spec.env !== undefined && Object.hasOwn(spec.env, name));
  if (clashes.length > 0) {
    const details = clashes.map((name) => ({ path: `spec.secret_env.${name}`, message: 'is also set in spec.env' }));
    throw AppError.validation(`spec.secret_env.${clashes[0]} is also set in spec.env`, details);
  }
  return { spec: maskedSpec(spec), sealed: box.seal(JSON.stringify(values)) };
}

/**
 * docs/design.md#in-place-update: a new spec whose `secret_env` values (or secret files' content) are SECRET_MASK
 * keeps the stored values of those names (paths); other values are new. Answers the spec to store, its sealed values
 * and the plain values (to compare).
 */
export function resealSecretEnv(
  spec: JobSpec,
  storedSealed: string | null,
  box: SecretBox,
): { spec: JobSpec; sealed: string | null; values: Record<string, string> } {
  if (spec.kind === 'helm' || Object.keys(secretValuesOf(spec)).length === 0) return { spec, sealed: null, values: {} };
  const stored = openSecretEnv(storedSealed, box);
  const missing: ErrorDetail[] = [];
  const keep = (key: string, value: string, path: string): string => {
    if (value !== SECRET_MASK) return value;
    if (Object.hasOwn(stored, key)) return stored[key] ?? '';
    missing.push({ path, message: 'is masked but the job has no stored value for it' });
    return '';
  };
  const opened: JobSpec = { ...spec };
  if (spec.secret_env)
    opened.secret_env = Object.fromEntries(
      Object.entries(spec.secret_env).map(([name, value]) => [name, keep(name, value, `spec.secret_env.${name}`)]),
    );
  if (spec.files)
    opened.files = spec.files.map((file, k) =>
      file.secret ? { ...file, content: keep(file.path, file.content, `spec.files[${k}].content`) } : file,
    );
  if (missing.length > 0) throw AppError.validation(`${missing[0]?.path} ${missing[0]?.message}`, missing);
  // Stored values come back here: a value stored before the mask was refused on create must not block an update.
  const sealed = sealSecretEnv(opened, box, { refuseMask: false });
  return { ...sealed, values: secretValuesOf(opened) };
}

export function openSecretEnv(sealed: string | null, box: SecretBox): Record<string, string> {
  return sealed ? (JSON.parse(box.open(sealed)) as Record<string, string>) : {};
}
