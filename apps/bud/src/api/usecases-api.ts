import type {
  ComponentResponse,
  CreateDeploymentRequest,
  DeploymentEvent,
  DeploymentPlan,
  DeploymentResponse,
  Page,
  TemplateResponse,
} from '@bud/contracts';
import type { ApiClient } from './api-client';

export interface PageQuery {
  page?: number;
  page_size?: number;
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

  listDeployments(query: PageQuery): Promise<Page<DeploymentResponse>> {
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

  deleteDeployment(id: string): Promise<DeploymentResponse> {
    return this.client.delete(`/api/v1/deployments/${encodeURIComponent(id)}`);
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
