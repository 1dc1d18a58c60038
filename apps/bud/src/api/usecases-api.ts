import type {
  ChangePlan,
  ComponentResponse,
  CreateDeploymentRequest,
  DeploymentEvent,
  DeploymentPlan,
  DeploymentResponse,
  Page,
  ScaleComponentRequest,
  TemplateResponse,
} from '@bud/contracts';
import type { ApiClient } from './api-client';

export interface PageQuery {
  page?: number;
  page_size?: number;
}

const DRY_RUN = { dry_run: 'true' } as const;

function scalePath(id: string, componentId: string): string {
  return `/api/v1/deployments/${encodeURIComponent(id)}/components/${encodeURIComponent(componentId)}/scale`;
}

/** budusecases' routes under /api/v1: templates, components, deployments. */
export class UsecasesApi {
  constructor(readonly client: ApiClient) {}

  listTemplates(query: PageQuery): Promise<Page<TemplateResponse>> {
    return this.client.get('/api/v1/templates', { ...query });
  }

  getTemplate(id: string): Promise<TemplateResponse> {
    return this.client.get(`/api/v1/templates/${encodeURIComponent(id)}`);
  }

  /** JSON Schema (draft 2020-12) of the template's parameters. */
  getTemplateSchema(id: string): Promise<Record<string, unknown>> {
    return this.client.get(`/api/v1/templates/${encodeURIComponent(id)}/schema`);
  }

  listComponents(query: PageQuery): Promise<Page<ComponentResponse>> {
    return this.client.get('/api/v1/components', { ...query });
  }

  planDeployment(request: CreateDeploymentRequest): Promise<DeploymentPlan> {
    return this.client.post('/api/v1/deployments', request, { dry_run: 'true' });
  }

  createDeployment(request: CreateDeploymentRequest): Promise<DeploymentResponse> {
    return this.client.post('/api/v1/deployments', request);
  }

  listDeployments(query: PageQuery & { cursor?: string }): Promise<Page<DeploymentResponse>> {
    return this.client.get('/api/v1/deployments', { ...query });
  }

  getDeployment(id: string): Promise<DeploymentResponse> {
    return this.client.get(`/api/v1/deployments/${encodeURIComponent(id)}`);
  }

  stopDeployment(id: string): Promise<DeploymentResponse> {
    return this.client.post(`/api/v1/deployments/${encodeURIComponent(id)}/stop`);
  }

  startDeployment(id: string): Promise<DeploymentResponse> {
    return this.client.post(`/api/v1/deployments/${encodeURIComponent(id)}/start`);
  }

  /** `keepData` keeps the deployment's volumes (listed per cluster afterwards); without it they are destroyed. */
  deleteDeployment(id: string, keepData = false): Promise<DeploymentResponse> {
    return this.client.delete(`/api/v1/deployments/${encodeURIComponent(id)}`, keepData ? { keep_data: 'true' } : undefined);
  }

  planDelete(id: string, keepData = false): Promise<ChangePlan> {
    return this.client.delete(`/api/v1/deployments/${encodeURIComponent(id)}`, {
      dry_run: 'true',
      ...(keepData ? { keep_data: 'true' } : {}),
    });
  }

  planStop(id: string): Promise<ChangePlan> {
    return this.client.post(`/api/v1/deployments/${encodeURIComponent(id)}/stop`, undefined, DRY_RUN);
  }

  /** New parameter values, merged over the current ones; changed components roll in place. */
  updateDeployment(id: string, parameters: Record<string, unknown>): Promise<DeploymentResponse> {
    return this.client.patch(`/api/v1/deployments/${encodeURIComponent(id)}`, { parameters });
  }

  planUpdate(id: string, parameters: Record<string, unknown>): Promise<ChangePlan> {
    return this.client.patch(`/api/v1/deployments/${encodeURIComponent(id)}`, { parameters }, DRY_RUN);
  }

  scaleComponent(id: string, componentId: string, request: ScaleComponentRequest): Promise<DeploymentResponse> {
    return this.client.post(scalePath(id, componentId), request);
  }

  planScale(id: string, componentId: string, request: ScaleComponentRequest): Promise<ChangePlan> {
    return this.client.post(scalePath(id, componentId), request, DRY_RUN);
  }

  /** To the newest active version of the deployment's template (`upgrade_available`). */
  upgradeDeployment(id: string, parameters: Record<string, unknown>): Promise<DeploymentResponse> {
    return this.client.post(`/api/v1/deployments/${encodeURIComponent(id)}/upgrade`, { parameters });
  }

  planUpgrade(id: string, parameters: Record<string, unknown>): Promise<ChangePlan> {
    return this.client.post(`/api/v1/deployments/${encodeURIComponent(id)}/upgrade`, { parameters }, DRY_RUN);
  }

  async deploymentHistory(id: string): Promise<DeploymentEvent[]> {
    return (await this.client.get<{ items: DeploymentEvent[] }>(`/api/v1/deployments/${encodeURIComponent(id)}/events`)).items;
  }

  /** The live event stream (SSE) of a deployment, from after `lastEventId`. */
  openEventStream(id: string, lastEventId: string, signal: AbortSignal): Promise<Response> {
    return this.client.send('GET', `/api/v1/deployments/${encodeURIComponent(id)}/events`, {
      headers: { accept: 'text/event-stream', 'last-event-id': lastEventId },
      signal,
    });
  }
}
