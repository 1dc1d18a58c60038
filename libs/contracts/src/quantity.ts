import { z } from 'zod';

/** Kubernetes resource quantity, e.g. `500m`, `2`, `8Gi`. */
export const quantitySchema = z
  .string()
  .max(32)
  .regex(/^([0-9]+(\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/, 'must be a Kubernetes quantity like 500m, 2 or 8Gi');

const SUFFIX_MULTIPLIERS: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/**
 * The full quantity grammar (https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/),
 * wider than `quantitySchema` accepts. The exponent alternative is tried first so `1e3` is 1000 while `1E` stays one exa.
 */
export const KUBERNETES_QUANTITY = /^(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/** The quantity in base units (cores, bytes); throws on anything that is not a non-negative quantity. */
export function parseQuantity(quantity: string): number {
  const match = KUBERNETES_QUANTITY.exec(quantity.trim());
  if (!match) throw new Error(`'${quantity}' is not a Kubernetes quantity`);
  const [, digits, exponent, suffix] = match;
  const value = Number(digits) * (exponent === undefined ? SUFFIX_MULTIPLIERS[suffix ?? ''] : 10 ** Number(exponent));
  if (!Number.isFinite(value)) throw new Error(`'${quantity}' is out of range`);
  return value;
}

/** The value of a `quantitySchema` string in base units (cores, bytes); NaN for anything else. */
export function quantityValue(quantity: string): number {
  return quantitySchema.safeParse(quantity).success ? parseQuantity(quantity) : Number.NaN;
}

/**
 * The largest quantity one replica may ask for: beyond any node that exists, and small enough that the
 * price of the largest job (× 64 GPUs × 1000 replicas) stays exact and fits the database's numeric columns.
 */
export const QUANTITY_LIMITS = {
  cpu: { max: 1024, text: '1024 (cores)' },
  memory: { max: 16 * 2 ** 40, text: '16Ti' },
  storage: { max: 2 ** 50, text: '1Pi' },
} as const;
export type QuantityKind = keyof typeof QUANTITY_LIMITS;

/** Why a quantity string is out of bounds for its kind, or null when it is within them (or not a quantity at all). */
export function quantityBoundIssue(kind: QuantityKind, quantity: string): string | null {
  return quantityValue(quantity) > QUANTITY_LIMITS[kind].max ? `must be at most ${QUANTITY_LIMITS[kind].text}` : null;
}

const boundedQuantity = (kind: QuantityKind) =>
  quantitySchema
    .refine((q) => quantityBoundIssue(kind, q) === null, { message: `must be at most ${QUANTITY_LIMITS[kind].text}` })
    .describe(`Kubernetes quantity, at most ${QUANTITY_LIMITS[kind].text} per replica`);

export const cpuQuantitySchema = boundedQuantity('cpu');
export const memoryQuantitySchema = boundedQuantity('memory');
export const storageQuantitySchema = boundedQuantity('storage');

/** The kind of each resource quantity field, for checks of values only known after rendering. */
export const resourceQuantityKinds = {
  cpu_request: 'cpu',
  cpu_limit: 'cpu',
  memory_request: 'memory',
  memory_limit: 'memory',
  storage: 'storage',
} as const satisfies Record<string, QuantityKind>;

/** Per replica; replicas are bounded separately. */
export const MAX_GPUS_PER_REPLICA = 64;
export const MAX_REPLICAS = 1000;
