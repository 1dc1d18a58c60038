import type { SecretBox } from '@bud/auth';
import { SECRET_MASK } from '@bud/contracts';
import type { JobSpec } from '@bud/contracts';
import { AppError } from '@bud/errors';

/**
 * Splits a spec's `secret_env` off for sealing: the stored spec keeps its keys with masked values (what every
 * answer shows), the values travel sealed to the driver that places the workload. A key may not be in both env
 * maps: which value the container sees would be a guess.
 */
export function sealSecretEnv(spec: JobSpec, box: SecretBox): { spec: JobSpec; sealed: string | null } {
  if (spec.kind === 'helm' || !spec.secret_env || Object.keys(spec.secret_env).length === 0) return { spec, sealed: null };
  const clashes = Object.keys(spec.secret_env).filter((name) => spec.env !== undefined && Object.hasOwn(spec.env, name));
  if (clashes.length > 0) {
    const details = clashes.map((name) => ({ path: `spec.secret_env.${name}`, message: 'is also set in spec.env' }));
    throw AppError.validation(`spec.secret_env.${clashes[0]} is also set in spec.env`, details);
  }
  const masked = Object.fromEntries(Object.keys(spec.secret_env).map((name) => [name, SECRET_MASK]));
  return { spec: { ...spec, secret_env: masked }, sealed: box.seal(JSON.stringify(spec.secret_env)) };
}

/**
 * docs/design.md#in-place-update: a new spec whose `secret_env` values are SECRET_MASK keeps the stored values of
 * those keys; other values are new. Answers the spec to store, its sealed values and the plain values (to compare).
 */
export function resealSecretEnv(
  spec: JobSpec,
  storedSealed: string | null,
  box: SecretBox,
): { spec: JobSpec; sealed: string | null; values: Record<string, string> } {
  if (spec.kind === 'helm' || !spec.secret_env || Object.keys(spec.secret_env).length === 0) return { spec, sealed: null, values: {} };
  const stored = openSecretEnv(storedSealed, box);
  const missing = Object.entries(spec.secret_env).filter(([name, value]) => value === SECRET_MASK && !Object.hasOwn(stored, name));
  if (missing.length > 0) {
    const details = missing.map(([name]) => ({
      path: `spec.secret_env.${name}`,
      message: 'is masked but the job has no stored value for it',
    }));
    throw AppError.validation(`spec.secret_env.${missing[0]?.[0]} is masked but the job has no stored value for it`, details);
  }
  const values = Object.fromEntries(
    Object.entries(spec.secret_env).map(([name, value]) => [
      name,
      value === SECRET_MASK ? (Object.hasOwn(stored, name) ? stored[name] : '') : value,
    ]),
  );
  const sealed = sealSecretEnv({ ...spec, secret_env: values }, box);
  return { ...sealed, values };
}

export function openSecretEnv(sealed: string | null, box: SecretBox): Record<string, string> {
  return sealed ? (JSON.parse(box.open(sealed)) as Record<string, string>) : {};
}
