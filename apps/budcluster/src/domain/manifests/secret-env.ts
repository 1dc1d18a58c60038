import type { JobModel } from '../job-model';
import { objectMeta } from './labels';
import type { KubernetesObject } from './types';

/** The names of the job's `secret_env` (the stored spec keeps them, with masked values). */
export function secretEnvNames(job: JobModel): string[] {
  return job.spec.kind === 'helm' ? [] : Object.keys(job.spec.secret_env ?? {}).sort();
}

/** One Secret per job, named after its objects, holding its `secret_env`. */
export function secretEnvName(job: JobModel): string {
  return `${job.resourceName}-env`;
}

/**
 * The Secret the container's `secret_env` comes from. `values` are the opened values; without them (when the
 * objects are rendered only to be deleted) the Secret is rendered empty, which names it all the same.
 */
export function renderSecretEnv(job: JobModel, values: Record<string, string> | undefined): KubernetesObject[] {
  const names = secretEnvNames(job);
  if (names.length === 0) return [];
  const data = Object.fromEntries(
    names.flatMap((name) => (values?.[name] === undefined ? [] : [[name, Buffer.from(values[name]).toString('base64')]])),
  );
  return [{ apiVersion: 'v1', kind: 'Secret', metadata: objectMeta(job, secretEnvName(job)), type: 'Opaque', data }];
}
