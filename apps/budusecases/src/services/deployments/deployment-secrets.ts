import type { SecretBox } from '@bud/auth';

/** Secret parameter values at rest: one AES-256-GCM envelope per deployment (`{sealed}`), `{}` when none. */
export function sealSecrets(box: SecretBox, values: Record<string, unknown>): Record<string, unknown> {
  return Object.keys(values).length > 0 ? { sealed: box.seal(JSON.stringify(values)) } : {};
}

export function openSecrets(box: SecretBox, stored: Record<string, unknown>): Record<string, unknown> {
  return typeof stored.sealed === 'string' ? (JSON.parse(box.open(stored.sealed)) as Record<string, unknown>) : {};
}
