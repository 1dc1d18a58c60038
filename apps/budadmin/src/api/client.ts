import type {
  BudgetResponse,
  ChangePlan,
  ClusterResponse,
  ComponentResponse,
  DeploymentEvent,
  DeploymentPlan,
  DeploymentResponse,
  InvoiceResponse,
  JobResponse,
  Page,
  QuotaResponse,
  PutBudgetRequest,
  ScaleComponentRequest,
  ScheduleResponse,
  TemplateResponse,
  UsageDimension,
  UsageGroupBy,
  UsageResponse,
} from '@bud/contracts';
import { ApiError } from './api-error';

export type JsonSchema = {
  properties?: Record<string, FieldSchema>;
  required?: string[];
  title?: string;
};
export interface FieldSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: Array<string | number>;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  writeOnly?: boolean;
  /** A `list` parameter: an array of strings, `items.enum` the allowed ones. */
  items?: FieldSchema;
  uniqueItems?: boolean;
  minItems?: number;
  maxItems?: number;
  'x-bud-type'?: string;
}

// Same origin: server/serve.ts (and Vite's dev server) route /api/v1/clusters to budcluster, the rest to budusecases.
async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw await ApiError.from(response);
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

const query = (params: Record<string, string | number | undefined>) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
};

export const api = {
  templates: (params: { q?: string; category?: string; tag?: string; page_size?: number } = {}) =>
    request<Page<TemplateResponse>>('GET', `/api/v1/templates${query({ page_size: 100, ...params })}`),
  template: (id: string) => request<TemplateResponse>('GET', `/api/v1/templates/${encodeURIComponent(id)}`),
  templateSchema: (id: string) => request<JsonSchema>('GET', `/api/v1/templates/${encodeURIComponent(id)}/schema`),
  forkTemplate: (id: string) => request<TemplateResponse>('POST', `/api/v1/templates/${encodeURIComponent(id)}/fork`, {}),
  updateTemplate: (id: string, document: unknown) =>
    request<TemplateResponse>('PUT', `/api/v1/templates/${encodeURIComponent(id)}`, document),
  components: () => request<Page<ComponentResponse>>('GET', '/api/v1/components?page_size=100'),
  clusters: () => request<Page<ClusterResponse>>('GET', '/api/v1/clusters?page_size=100'),
  /** The quotas the caller may see on a cluster (first 100); none from a budcluster without quota routes. */
  quotas: async (clusterId: string): Promise<QuotaResponse[]> => {
    try {
      return (await request<Page<QuotaResponse>>('GET', `/api/v1/clusters/${clusterId}/quotas?page_size=100`)).items;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return [];
      throw error;
    }
  },
  /** A page of the cluster's jobs, newest first; `cursor` is the previous page's next_cursor (docs/design.md#lists-and-pagination). */
  clusterJobs: (clusterId: string, cursor?: string) =>
    request<Page<JobResponse>>('GET', `/api/v1/clusters/${clusterId}/jobs${query({ page_size: 100, cursor })}`),
  schedule: (clusterId: string, start: Date, end: Date) =>
    request<ScheduleResponse>(
      'GET',
      `/api/v1/clusters/${clusterId}/schedule${query({ start: start.toISOString(), end: end.toISOString() })}`,
    ),
  dryRun: (body: DeployRequest) => request<DeploymentPlan>('POST', '/api/v1/deployments?dry_run=true', body),
  deploy: (body: DeployRequest) => request<DeploymentResponse>('POST', '/api/v1/deployments', body),
  deployments: (params: { status?: string; page?: number; page_size?: number } = {}) =>
    request<Page<DeploymentResponse>>('GET', `/api/v1/deployments${query({ page_size: 20, ...params })}`),
  deployment: (id: string) => request<DeploymentResponse>('GET', `/api/v1/deployments/${id}`),
  deploymentEvents: (id: string) => request<{ items: DeploymentEvent[] }>('GET', `/api/v1/deployments/${id}/events`),
  stop: (id: string) => request<DeploymentResponse>('POST', `/api/v1/deployments/${id}/stop`),
  start: (id: string) => request<DeploymentResponse>('POST', `/api/v1/deployments/${id}/start`),
  retry: (id: string, componentId: string) =>
    request<DeploymentResponse>('POST', `/api/v1/deployments/${id}/components/${encodeURIComponent(componentId)}/retry`),
  remove: (id: string, keepData = false) =>
    request<DeploymentResponse>('DELETE', `/api/v1/deployments/${id}${query({ keep_data: keepData ? 'true' : undefined })}`),
  // Each change has its preview: the same request with ?dry_run=true answers a ChangePlan and changes nothing.
  removePlan: (id: string, keepData: boolean) =>
    request<ChangePlan>('DELETE', `/api/v1/deployments/${id}${query({ dry_run: 'true', keep_data: keepData ? 'true' : undefined })}`),
  update: (id: string, parameters: Record<string, unknown>) =>
    request<DeploymentResponse>('PATCH', `/api/v1/deployments/${id}`, { parameters }),
  updatePlan: (id: string, parameters: Record<string, unknown>) =>
    request<ChangePlan>('PATCH', `/api/v1/deployments/${id}?dry_run=true`, { parameters }),
  scale: (id: string, componentId: string, body: ScaleComponentRequest) =>
    request<DeploymentResponse>('POST', scalePath(id, componentId), body),
  scalePlan: (id: string, componentId: string, body: ScaleComponentRequest) =>
    request<ChangePlan>('POST', `${scalePath(id, componentId)}?dry_run=true`, body),
  upgrade: (id: string) => request<DeploymentResponse>('POST', `/api/v1/deployments/${id}/upgrade`, { parameters: {} }),
  stopPlan: (id: string) => request<ChangePlan>('POST', `/api/v1/deployments/${id}/stop?dry_run=true`),
  // docs/design.md#usage, #budgets: budcluster's metering routes (the proxy sends /usage, /invoices, /budgets there).
  usage: (params: UsageParams) => request<UsageResponse>('GET', `/api/v1/usage${query({ ...params })}`),
  invoice: (period: string) => request<InvoiceResponse>('GET', `/api/v1/invoices/${encodeURIComponent(period)}`),
  /** The tenant's budgets with this month's spend; a budcluster answering a bare array or a page both read as a list. */
  budgets: async (): Promise<BudgetResponse[]> => {
    const answer = await request<BudgetResponse[] | { items: BudgetResponse[] }>('GET', '/api/v1/budgets?page_size=100');
    return Array.isArray(answer) ? answer : answer.items;
  },
  putBudget: (body: PutBudgetRequest) => request<BudgetResponse>('PUT', '/api/v1/budgets', body),
  deleteBudget: (id: string) => request<void>('DELETE', `/api/v1/budgets/${encodeURIComponent(id)}`),
  upgradePlan: (id: string) => request<ChangePlan>('POST', `/api/v1/deployments/${id}/upgrade?dry_run=true`, { parameters: {} }),
};

function scalePath(id: string, componentId: string): string {
  return `/api/v1/deployments/${id}/components/${encodeURIComponent(componentId)}/scale`;
}

export interface UsageParams {
  /** Admins only, or one's own tenant. */
  tenant_id?: string;
  from: string;
  to?: string;
  group_by?: UsageGroupBy;
  by?: UsageDimension;
  deployment_id?: string;
  project_id?: string;
}

export interface DeployRequest {
  template_id: string;
  name: string;
  cluster_id: string;
  parameters: Record<string, unknown>;
}
