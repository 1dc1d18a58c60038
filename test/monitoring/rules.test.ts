// deploy/monitoring/: the PrometheusRule carries exactly the rules promtool checks, every alert has promtool unit
// tests that make it fire and keep it quiet, and the PromQL name finder the dashboard test relies on is right.
import {
  alertRules,
  dashboardQueries,
  prometheusRuleFile,
  readDashboard,
  readYaml,
  rulesFile,
  rulesTestFile,
} from './support/monitoring-files';
import type { RuleGroups, RulesTests } from './support/monitoring-files';
import { grafanaQueryMetricNames, promqlMetricNames } from './support/promql-names';

describe('deploy/monitoring alert rules', () => {
  const rules = readYaml<RuleGroups>(rulesFile);
  const tests = readYaml<RulesTests>(rulesTestFile);

  it('the PrometheusRule carries exactly the groups of rules/bud.rules.yaml', () => {
    const resource = readYaml<{ apiVersion: string; kind: string; metadata: { name: string }; spec: RuleGroups }>(prometheusRuleFile);
    expect(resource.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(resource.kind).toBe('PrometheusRule');
    expect(resource.metadata.name).toBe('bud-foundry');
    // On a difference: copy the groups of rules/bud.rules.yaml under the PrometheusRule's spec.
    expect(resource.spec).toEqual(rules);
  });

  it('has the alerts the issue asks for, each with a severity and a summary', () => {
    const alerts = alertRules(rules);
    expect(alerts.map((r) => r.alert).sort()).toEqual(
      expect.arrayContaining([
        'BudBudgetExhausted',
        'BudBudgetWarning',
        'BudClusterUnreachable',
        'BudComponentFailed',
        'BudDeploymentDegraded',
        'BudOutboxBacklogGrowing',
      ]),
    );
    for (const rule of alerts) {
      expect({ alert: rule.alert, severity: rule.labels?.severity }).toEqual({
        alert: rule.alert,
        severity: expect.stringMatching(/^(info|warning|critical)$/),
      });
      expect(rule.annotations?.summary).toBeTruthy();
    }
    expect(alertRules(rules).find((r) => r.alert === 'BudDeploymentDegraded')?.for).toBe('5m');
  });

  it('every alert has a promtool unit test that fires it and one evaluation where it must stay quiet', () => {
    expect(tests.rule_files).toEqual(['../rules/bud.rules.yaml']);
    const evaluations = tests.tests.flatMap((t) => t.alert_rule_test ?? []);
    const untested = alertRules(rules)
      .map((r) => r.alert as string)
      .filter((alert) => {
        const own = evaluations.filter((e) => e.alertname === alert);
        return !own.some((e) => (e.exp_alerts ?? []).length > 0) || !own.some((e) => (e.exp_alerts ?? []).length === 0);
      });
    expect(untested).toEqual([]);
    // A test of an alert that no longer exists would pass vacuously.
    const known = new Set(alertRules(rules).map((r) => r.alert));
    expect(evaluations.map((e) => e.alertname).filter((name) => !known.has(name))).toEqual([]);
  });
});

describe('PromQL metric names (what the dashboard and rules are checked by)', () => {
  it.each([
    ['max by (deployment_id, tenant_id, template) (bud_deployment_status{status="degraded"}) == 1', ['bud_deployment_status']],
    [
      'histogram_quantile(0.99, sum by (le, service) (rate(http_request_duration_seconds_bucket[$__rate_interval])))',
      ['http_request_duration_seconds_bucket'],
    ],
    [
      'max by (service) (deriv(bud_outbox_backlog[10m])) > 0 and max by (service) (bud_outbox_oldest_age_seconds) > 300',
      ['bud_outbox_backlog', 'bud_outbox_oldest_age_seconds'],
    ],
    ['sum(rate(a_total{job="x", le=~"a|b"}[5m] offset 1h)) without (instance) / on (job) group_left (team) b', ['a_total', 'b']],
    ['topk(20, max by (deployment_id) (bud_deployment_cost_usd_total{tenant_id=~"$tenant"}))', ['bud_deployment_cost_usd_total']],
    ['max(x) >= 0.8 < 1 or vector(0) unless bool y', ['x', 'y']],
  ])('%s reads %j', (expr, names) => {
    expect(promqlMetricNames(expr)).toEqual(names);
  });

  it('reads the metric of a label_values() variable query', () => {
    expect(grafanaQueryMetricNames('label_values(bud_deployment_status{tenant_id=~"$tenant"}, deployment_id)')).toEqual([
      'bud_deployment_status',
    ]);
  });

  it('finds a metric name in every dashboard query', () => {
    const empty = dashboardQueries(readDashboard()).filter((q) => grafanaQueryMetricNames(q.query).length === 0);
    expect(empty).toEqual([]);
  });
});
