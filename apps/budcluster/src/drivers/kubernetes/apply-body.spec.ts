// The client serializes apply bodies through its typed models, which drop any field they do not know.
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { defaultClusterIsolation } from '@bud/contracts';
import { renderManifests, renderNamespace } from '../../domain/manifests';
import { typedBody } from './kube-client';
import { roleBinding } from './namespace-apply';
import { helmSpec, makeJob } from '../../../test/support/kubernetes-fixtures';

// Mirrors the client's getSerializationType: "apps/v1" + "Deployment" → "V1Deployment".
function serializationType(apiVersion: string, kind: string): string {
  const version = apiVersion.split('/').pop() ?? apiVersion;
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
}

const withGpu = {
  gpu_type: 'NVIDIA-A100-SXM4-80GB',
  gpu_count: 2,
  cpu_request: '8',
  memory_request: '64Gi',
  replicas: 1,
  storage: '100Gi',
};
const jobs = [
  makeJob(
    { resources: withGpu },
    {
      kind: 'container',
      image: 'ghcr.io/acme/api:1',
      env: { A: 'b' },
      ports: [{ port: 8080, protocol: 'TCP' }],
      health_check_path: '/healthz',
      volumes: [{ name: 'data', mount_path: '/data', size: '1Gi' }],
    },
  ),
  makeJob({
    jobType: 'batch',
    policy: {
      preemptible: true,
      max_retries: 2,
      retry_delay_seconds: 30,
      readiness_timeout_seconds: 600,
      scale_to_zero: false,
      max_runtime_seconds: 600,
    },
  }),
  makeJob({ jobType: 'training', resources: withGpu }),
  makeJob({}, { kind: 'model', engine: 'vllm', model_id: 'meta-llama/Llama-3.1-8B-Instruct' }),
  makeJob({}, helmSpec),
];

describe('server-side apply bodies', () => {
  it.each([false, true])('carry every rendered field through the client serializer (kueue: %s)', (kueue) => {
    for (const job of jobs) {
      for (const object of renderManifests(job, { kueue })) {
        const body: unknown = JSON.parse(
          ObjectSerializer.stringify(
            ObjectSerializer.serialize(object, serializationType(object.apiVersion, object.kind), ''),
            'application/json',
          ),
        );
        expect({ kind: object.kind, body }).toEqual({ kind: object.kind, body: JSON.parse(JSON.stringify(object)) });
      }
    }
  });

  it('carry every field of a managed namespace and its isolation, read into the typed model first (typedBody)', () => {
    const isolation = { ...defaultClusterIsolation, ingress_namespaces: ['bud-system', 'gateway'] };
    const objects = [
      ...renderNamespace({ name: 'team-a', tenantId: 't-1', projectId: 'p-1', isolation }),
      roleBinding('team-a', { kind: 'ServiceAccount', name: 'budcluster', namespace: 'bud-system' }),
    ];
    for (const object of objects) {
      const body: unknown = JSON.parse(
        ObjectSerializer.stringify(
          ObjectSerializer.serialize(typedBody(object), serializationType(object.apiVersion ?? '', object.kind ?? ''), ''),
          'application/json',
        ),
      );
      expect({ kind: object.kind, body }).toEqual({ kind: object.kind, body: JSON.parse(JSON.stringify(object)) });
    }
  });
});
