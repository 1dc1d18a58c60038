// The monitoring files of deploy/monitoring/, read and typed for the tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';

export const monitoringDir = join(__dirname, '..', '..', '..', 'deploy', 'monitoring');
export const rulesFile = join(monitoringDir, 'rules', 'bud.rules.yaml');
export const rulesTestFile = join(monitoringDir, 'tests', 'bud.rules.test.yaml');
export const prometheusRuleFile = join(monitoringDir, 'prometheus-rules.yaml');
export const dashboardFile = join(monitoringDir, 'grafana-dashboard.json');

export interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleGroups {
  groups: Array<{ name: string; rules: Rule[] }>;
}
export interface RulesTests {
  rule_files: string[];
  tests: Array<{
    name: string;
    alert_rule_test?: Array<{ eval_time: string; alertname: string; exp_alerts?: Array<{ exp_labels?: Record<string, string> }> }>;
  }>;
}
interface Panel {
  title: string;
  type: string;
  targets?: Array<{ expr: string }>;
  panels?: Panel[];
}
export interface Dashboard {
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query?: string | { query: string } }> };
}

export const readYaml = <T>(file: string): T => load(readFileSync(file, 'utf8')) as T;
export const readDashboard = (): Dashboard => JSON.parse(readFileSync(dashboardFile, 'utf8')) as Dashboard;

export const alertRules = (groups: RuleGroups): Rule[] => groups.groups.flatMap((g) => g.rules).filter((r) => r.alert);

/** Every PromQL query of the dashboard, with where it is (panel title or template variable). */
export function dashboardQueries(dashboard: Dashboard): Array<{ where: string; query: string; variable: boolean }> {
  const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  return [
    ...panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, query: t.expr, variable: false }))),
    ...dashboard.templating.list
      .filter((v) => v.type === 'query' && v.query !== undefined)
      .map((v) => ({
        where: `variable $${v.name}`,
        query: typeof v.query === 'string' ? v.query : (v.query as { query: string }).query,
        variable: true,
      })),
  ];
}

/** Grafana's variables replaced by values Prometheus accepts, so promtool can parse the panel queries. */
export const withGrafanaVariables = (query: string): string =>
  query.replace(/\$__rate_interval|\$__interval|\$__range/g, '5m').replace(/\$\{?[A-Za-z_]\w*\}?/g, '.*');
