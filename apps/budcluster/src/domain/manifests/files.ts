import { createHash } from 'node:crypto';
import type { JobFile } from '@bud/contracts';
import type { V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { AppError } from '@bud/errors';
import type { JobModel } from '../job-model';
import { objectMeta } from './labels';
import type { KubernetesObject } from './types';

export const FILES_VOLUME = 'bud-files';
export const SECRET_FILES_VOLUME = 'bud-secret-files';
export const FILES_DIGEST_ANNOTATION = 'bud.ai/files-digest';

/** A job's files (docs/design.md#files): none for helm. */
export function jobFiles(job: Pick<JobModel, 'spec'>): readonly JobFile[] {
  return job.spec.kind === 'helm' ? [] : (job.spec.files ?? []);
}

/** The ConfigMap of the plain files and the Secret of the secret ones share the name `<resourceName>-files`. */
export function filesObjectName(job: Pick<JobModel, 'resourceName'>): string {
  return `${job.resourceName}-files`;
}

/**
 * The key of the k-th file in its ConfigMap or Secret: its index keeps keys unique when two directories hold a file
 * of the same name, its base name keeps it readable (`0-pipeline_wrapper.py`). ≤ 253 characters, as keys must be.
 */
export function fileKey(file: Pick<JobFile, 'path'>, k: number): string {
  const base = file.path.slice(file.path.lastIndexOf('/') + 1);
  return `${k}-${base}`.slice(0, 253);
}

const octal = (mode: string): number => Number.parseInt(mode, 8);

/** The ConfigMap (plain files) and the Secret (secret files: `secretValues` holds their content by path, opened). */
export function renderFiles(job: JobModel, secretValues: Record<string, string> | undefined): KubernetesObject[] {
  const files = jobFiles(job);
  if (files.length === 0) return [];
  const objects: KubernetesObject[] = [];
  const plain = files.flatMap((f, k) => (f.secret ? [] : [[fileKey(f, k), f.content] as const]));
  if (plain.length > 0)
    objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: objectMeta(job, filesObjectName(job)), data: Object.fromEntries(plain) });
  const secret = files.flatMap((f, k) => (f.secret ? [[fileKey(f, k), f.path] as const] : []));
  if (secret.length > 0) {
    // Without the opened values (objects rendered only to be found or deleted) the Secret is empty, named all the same.
    const data = Object.fromEntries(
      secret.flatMap(([key, path]) => {
        const value = secretValues?.[path];
        return value === undefined ? [] : [[key, Buffer.from(value).toString('base64')]];
      }),
    );
    objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: objectMeta(job, filesObjectName(job)), type: 'Opaque', data });
  }
  return objects;
}

/**
 * The pod's volumes for the files and one read-only mount per file at its path (a subPath of its key, so the rest
 * of the directory stays the image's). Throws 422 when a file would sit at or above another of the pod's mounts.
 */
export function fileMounts(job: JobModel, otherMounts: readonly V1VolumeMount[]): { volumes: V1Volume[]; volumeMounts: V1VolumeMount[] } {
  const files = jobFiles(job);
  if (files.length === 0) return { volumes: [], volumeMounts: [] };
  files.forEach((f, k) => {
    const clash = otherMounts.find((m) => m.mountPath === f.path || m.mountPath.startsWith(`${f.path}/`));
    if (clash)
      throw AppError.validation(`spec.files[${k}].path would hide the volume mounted at ${clash.mountPath}`, [
        { path: `spec.files[${k}].path`, message: `would hide the volume mounted at ${clash.mountPath}` },
      ]);
  });
  const items = (secret: boolean) =>
    files.flatMap((f, k) => (Boolean(f.secret) === secret ? [{ key: fileKey(f, k), path: fileKey(f, k), mode: octal(f.mode) }] : []));
  const volumes: V1Volume[] = [];
  const plain = items(false);
  const secret = items(true);
  if (plain.length > 0) volumes.push({ name: FILES_VOLUME, configMap: { name: filesObjectName(job), items: plain } });
  if (secret.length > 0) volumes.push({ name: SECRET_FILES_VOLUME, secret: { secretName: filesObjectName(job), items: secret } });
  const volumeMounts = files.map((f, k): V1VolumeMount => ({
    name: f.secret ? SECRET_FILES_VOLUME : FILES_VOLUME,
    mountPath: f.path,
    subPath: fileKey(f, k),
    readOnly: true,
  }));
  return { volumes, volumeMounts };
}

/**
 * A file mounted by subPath never sees a change of its ConfigMap: a digest of the files (secret ones as stored,
 * masked; their values roll the pods through the sealed-values digest) makes a changed file roll the pods.
 */
export function filesDigest(job: JobModel): string | undefined {
  const files = jobFiles(job);
  if (files.length === 0) return undefined;
  return createHash('sha256')
    .update(JSON.stringify(files.map((f) => [f.path, f.mode, f.secret === true, f.content])))
    .digest('hex')
    .slice(0, 16);
}
