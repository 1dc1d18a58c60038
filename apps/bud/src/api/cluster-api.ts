import type { ClusterResponse, JobResponse, NamespaceResponse, Page, VolumeResponse, VolumeStatus } from '@bud/contracts';
import type { ApiClient } from './api-client';
import type { PageQuery } from './usecases-api';

/** budcluster's routes under /api/v1: clusters, their jobs, volumes and namespaces. */
export class ClusterApi {
  constructor(readonly client: ApiClient) {}

  listClusters(query: PageQuery): Promise<Page<ClusterResponse>> {
    return this.client.get('/api/v1/clusters', { ...query });
  }

  /** `status` goes as typed: budcluster validates it and names a wrong one. */
  listJobs(clusterId: string, query: PageQuery & { cursor?: string; status?: string[] }): Promise<Page<JobResponse>> {
    return this.client.get(`/api/v1/clusters/${encodeURIComponent(clusterId)}/jobs`, {
      page: query.page,
      page_size: query.page_size,
      cursor: query.cursor,
      status: query.status?.join(','),
    });
  }

  listVolumes(
    clusterId: string,
    query: PageQuery & { status?: VolumeStatus; usecase_deployment_id?: string },
  ): Promise<Page<VolumeResponse>> {
    return this.client.get(`/api/v1/clusters/${encodeURIComponent(clusterId)}/volumes`, { ...query });
  }

  /** The caller's tenant's namespaces on the cluster (docs/design.md#namespaces). */
  listNamespaces(clusterId: string, query: PageQuery): Promise<Page<NamespaceResponse>> {
    return this.client.get(`/api/v1/clusters/${encodeURIComponent(clusterId)}/namespaces`, { ...query });
  }

  /** Destroys a volume that no job holds (409 while attached). */
  deleteVolume(clusterId: string, volumeId: string): Promise<void> {
    return this.client.delete(`/api/v1/clusters/${encodeURIComponent(clusterId)}/volumes/${encodeURIComponent(volumeId)}`);
  }
}
