import { z } from 'zod';
import { dnsLabelSchema, isoTimestampSchema, uuidSchema } from './common';
import { cpuQuantitySchema, memoryQuantitySchema } from './quantity';

export const podSecurityLevels = ['privileged', 'baseline', 'restricted'] as const;
export type PodSecurityLevel = (typeof podSecurityLevels)[number];

/**
 * What budcluster renders with every namespace it manages on a cluster (docs/design.md#namespaces): a default-deny
 * NetworkPolicy between tenants, Pod Security Admission labels and a LimitRange of default requests.
 */
export const clusterIsolationSchema = z
  .object({
    /** Namespaces whose pods may reach every managed namespace: the platform's ingress or gateway. */
    ingress_namespaces: z.array(dnsLabelSchema).max(20).default(['bud-system']),
    pod_security: z
      .object({
        /** Never `privileged`: the admission policy of deploy/kubernetes/workload-cluster refuses it to budcluster too. */
        enforce: z.enum(['baseline', 'restricted']).default('baseline'),
        warn: z.enum(podSecurityLevels).default('restricted'),
      })
      .strict()
      .default({ enforce: 'baseline', warn: 'restricted' }),
    /** Requests a container without its own gets (a LimitRange's defaultRequest; no default limit). */
    default_requests: z
      .object({ cpu: cpuQuantitySchema.default('100m'), memory: memoryQuantitySchema.default('128Mi') })
      .strict()
      .default({ cpu: '100m', memory: '128Mi' }),
  })
  .strict();
export type ClusterIsolation = z.infer<typeof clusterIsolationSchema>;
export const defaultClusterIsolation: ClusterIsolation = clusterIsolationSchema.parse({});

/** A namespace budcluster manages for one tenant on one cluster. */
export const namespaceResponseSchema = z.object({
  cluster_id: uuidSchema,
  name: z.string(),
  tenant_id: z.string(),
  project_id: uuidSchema.nullable(),
  /** The isolation objects rendered with it, by kind and name. */
  objects: z.array(z.object({ kind: z.string(), name: z.string() })),
  pod_security: z.object({ enforce: z.enum(podSecurityLevels), warn: z.enum(podSecurityLevels) }),
  created_at: isoTimestampSchema,
});
export type NamespaceResponse = z.infer<typeof namespaceResponseSchema>;
