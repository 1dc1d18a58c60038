import type { KubernetesObject } from '@kubernetes/client-node';
import {
  FLUX_RELEASE_LABEL,
  GENERATION_ANNOTATION,
  HELM_RELEASE_ANNOTATION,
  JOB_ID_LABEL,
  KUEUE_PRIORITY_LABEL,
  type ResourceKind,
  VOLUME_LABEL,
} from './resource-kinds';

/** A labelled object read from the cluster, checked field by field; nothing here is trusted before parsing. */
export interface ManagedObject {
  kind: ResourceKind;
  name: string;
  namespace: string;
  uid?: string;
  jobId: string;
  generation?: number;
  /** The job generation the object was applied for (`bud.ai/generation`; 1 when absent or not a positive integer). */
  jobGeneration: number;
  /** Epoch milliseconds. */
  createdAt?: number;
  terminating: boolean;
  /** Installed by a chart of one of our HelmReleases: its release owns it, so it neither carries status nor is an orphan. */
  chartOwned: boolean;
  /** A claim the volumes table owns (`bud.ai/volume`): never removed with a job nor swept as an orphan. */
  volumeClaim: boolean;
  /** Its `kueue.x-k8s.io/priority-class` label (a job's object on a cluster with Kueue). */
  kueuePriorityClass?: string;
  spec: Record<string, unknown>;
  status: Record<string, unknown>;
}

export type ParseResult = { ok: true; object: ManagedObject } | { ok: false; problem: string };

const MAX_LABEL_VALUE = 63;
const MAX_NAME = 253;
const JOB_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Shape check the client's cache relies on (it dereferences metadata.namespace and metadata.name). */
export function isKubernetesObject(value: unknown): value is KubernetesObject {
  return isRecord(value) && isRecord(value.metadata) && typeof value.metadata.name === 'string';
}

export function parseManagedObject(raw: unknown, expected: ResourceKind): ParseResult {
  if (!isRecord(raw)) return fail('object is not a JSON object');
  if (raw.kind !== undefined && raw.kind !== expected.kind) return fail(`kind is ${describe(raw.kind)}, expected ${expected.kind}`);
  if (raw.apiVersion !== undefined && raw.apiVersion !== expected.apiVersion)
    return fail(`apiVersion is ${describe(raw.apiVersion)}, expected ${expected.apiVersion}`);
  const meta = raw.metadata;
  if (!isRecord(meta)) return fail('object has no metadata');
  if (!isName(meta.name)) return fail('metadata.name is missing or invalid');
  if (!isName(meta.namespace)) return fail('metadata.namespace is missing or invalid');
  const labels = meta.labels;
  if (!isRecord(labels)) return fail('metadata.labels is missing or not a map');
  for (const [key, value] of Object.entries(labels)) {
    if (typeof value !== 'string') return fail(`label ${clip(key)} is not a string`);
    if (value.length > MAX_LABEL_VALUE) return fail(`label ${clip(key)} value has ${value.length} characters (max ${MAX_LABEL_VALUE})`);
  }
  const jobId = labels[JOB_ID_LABEL];
  if (typeof jobId !== 'string' || jobId === '') return fail(`label ${JOB_ID_LABEL} is missing`);
  if (!JOB_ID_PATTERN.test(jobId)) return fail(`label ${JOB_ID_LABEL} is not a job id`);
  if (meta.generation !== undefined && typeof meta.generation !== 'number') return fail('metadata.generation is not a number');
  const annotations = isRecord(meta.annotations) ? meta.annotations : {};
  const spec = raw.spec ?? {};
  const status = raw.status ?? {};
  if (!isRecord(spec)) return fail('spec is not an object');
  if (!isRecord(status)) return fail('status is not an object');
  if (status.conditions !== undefined && !Array.isArray(status.conditions)) return fail('status.conditions is not a list');
  return {
    ok: true,
    object: {
      kind: expected,
      name: meta.name,
      namespace: meta.namespace,
      ...(typeof meta.uid === 'string' ? { uid: meta.uid } : {}),
      jobId,
      generation: meta.generation,
      jobGeneration: jobGenerationOf(annotations[GENERATION_ANNOTATION]),
      createdAt: timestamp(meta.creationTimestamp),
      terminating: meta.deletionTimestamp !== undefined && meta.deletionTimestamp !== null,
      chartOwned: labels[FLUX_RELEASE_LABEL] !== undefined || annotations[HELM_RELEASE_ANNOTATION] !== undefined,
      volumeClaim: labels[VOLUME_LABEL] !== undefined,
      ...(typeof labels[KUEUE_PRIORITY_LABEL] === 'string' ? { kueuePriorityClass: labels[KUEUE_PRIORITY_LABEL] } : {}),
      spec,
      status,
    },
  };
}

function jobGenerationOf(value: unknown): number {
  const generation = typeof value === 'string' && /^[1-9][0-9]{0,8}$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(generation) ? generation : 1;
}

function fail(problem: string): ParseResult {
  return { ok: false, problem };
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_NAME;
}

// The typed list path yields Date objects, the raw watch stream yields RFC 3339 strings.
function timestamp(value: unknown): number | undefined {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

// Keeps hostile values (a megabyte label) out of log lines.
function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `'${clip(value)}'` : typeof value;
}
