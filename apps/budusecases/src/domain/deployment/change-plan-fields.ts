import type { CreateJobRequest, FieldChange, PlannedComponent } from '@bud/contracts';
import { SECRET_MASK } from '@bud/contracts';
import { canonicalJson } from '../document-checks';

/** The part of a job an in-place update changes, and the part a preview compares (docs/design.md#change-preview). */
export function jobShape(job: CreateJobRequest): { spec: unknown; resources: unknown } {
  return { spec: job.spec, resources: job.resources };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function collect(path: string[], from: unknown, to: unknown, out: FieldChange[]): void {
  if (canonicalJson(from) === canonicalJson(to)) return;
  if (isPlainObject(from) && isPlainObject(to)) {
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
    for (const key of keys) collect([...path, key], from[key], to[key], out);
    return;
  }
  if (Array.isArray(from) && Array.isArray(to)) {
    for (let i = 0; i < Math.max(from.length, to.length); i++) collect([...path, String(i)], from[i], to[i], out);
    return;
  }
  out.push({ path: path.join('.'), from: from ?? null, to: to ?? null });
}

/** Dotted paths (`spec.env.X`) of the values a secret parameter fills: a preview never shows them. */
export function secretPaths(...components: Array<PlannedComponent | undefined>): string[] {
  return components.flatMap((c) => (c?.pending ?? []).filter((p) => p.secrets.length > 0).map((p) => p.path.map(String).join('.')));
}

/** A path at, inside or around a secret value (a whole object that holds one is masked too). */
function isSecret(path: string, secrets: readonly string[]): boolean {
  const under = (prefix: string): boolean => path === prefix || path.startsWith(`${prefix}.`);
  return under('spec.secret_env') || secrets.some((secret) => under(secret) || secret.startsWith(`${path}.`));
}

const mask = (value: unknown): unknown => (value === null || value === undefined ? null : SECRET_MASK);

/**
 * The leaves of {spec, resources} that differ, as dotted paths; an absent value is null. A secret's value is shown as
 * SECRET_MASK on both sides (its change is still listed, since it restarts the component).
 */
export function fieldChanges(from: CreateJobRequest, to: CreateJobRequest, secrets: readonly string[]): FieldChange[] {
  const out: FieldChange[] = [];
  collect([], jobShape(from), jobShape(to), out);
  return out.map((change) =>
    isSecret(change.path, secrets) ? { path: change.path, from: mask(change.from), to: mask(change.to) } : change,
  );
}
