import { metricValue } from './metric-value';

const exposition = [
  '# HELP http_request_duration_seconds API request latency by route and status',
  'http_request_duration_seconds_count{method="POST",route="/api/v1/events/job-events",status="200",service="budusecases"} 12',
  'http_request_duration_seconds_count{method="POST",route="/api/v1/events/job-events",status="500",service="budusecases"} 1',
  'bud_kubernetes_api_requests_total{service="budcluster"} 2090',
  'process_uptime 3.5',
].join('\n');

describe('metricValue', () => {
  it('finds the sample whose labels include the ones asked for', () => {
    expect(metricValue(exposition, 'http_request_duration_seconds_count', { route: '/api/v1/events/job-events', status: '500' })).toBe(1);
    expect(metricValue(exposition, 'bud_kubernetes_api_requests_total')).toBe(2090);
    expect(metricValue(exposition, 'process_uptime')).toBe(3.5);
  });

  it('is undefined for a name or label set that is not there', () => {
    expect(metricValue(exposition, 'http_request_duration_seconds_count', { status: '404' })).toBeUndefined();
    expect(metricValue(exposition, 'bud_kubernetes_api_requests')).toBeUndefined();
  });
});
