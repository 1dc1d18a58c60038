// deploy/monitoring/ with the real promtool: the rules (and the PrometheusRule's copy) pass `promtool check rules`,
// their unit tests (input series for every alert) pass `promtool test rules`, every dashboard query parses, and a
// wrong expectation or a broken rule fails, so a green run means the checks ran.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { runPromtool } from '../../../scripts/testbed/promtool';
import {
  alertRules,
  dashboardQueries,
  monitoringDir,
  prometheusRuleFile,
  readDashboard,
  readYaml,
  rulesFile,
  rulesTestFile,
  withGrafanaVariables,
} from '../support/monitoring-files';
import type { RuleGroups, RulesTests } from '../support/monitoring-files';

describe('deploy/monitoring with promtool', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'bud-promtool-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const writeYaml = (name: string, value: unknown): string => {
    const file = join(scratch, name);
    writeFileSync(file, dump(value, { lineWidth: -1 }));
    return file;
  };

  it('promtool check rules passes the rules file, every rule counted', async () => {
    const run = await runPromtool(['check', 'rules', rulesFile], monitoringDir);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const rules = readYaml<RuleGroups>(rulesFile).groups.flatMap((g) => g.rules);
    expect(run.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('promtool check rules passes the PrometheusRule’s spec too', async () => {
    const spec = readYaml<{ spec: RuleGroups }>(prometheusRuleFile).spec;
    const run = await runPromtool(['check', 'rules', writeYaml('prometheus-rule-spec.yaml', spec)], scratch);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('promtool test rules passes the unit tests of every alert', async () => {
    const run = await runPromtool(['test', 'rules', rulesTestFile], join(monitoringDir, 'tests'));
    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
      code: 0,
      stdout: expect.stringContaining('SUCCESS'),
      stderr: '',
    });
    // Every alert is evaluated by those tests (test/monitoring/rules.test.ts checks each one both fires and stays quiet).
    const tested = new Set(readYaml<RulesTests>(rulesTestFile).tests.flatMap((t) => (t.alert_rule_test ?? []).map((e) => e.alertname)));
    expect(alertRules(readYaml<RuleGroups>(rulesFile)).filter((r) => !tested.has(r.alert as string))).toEqual([]);
  });

  it('promtool test rules fails a wrong expectation (the degraded alert firing a minute early)', async () => {
    const tests = readYaml<RulesTests>(rulesTestFile);
    const degraded = tests.tests[0].alert_rule_test?.find(
      (e) => e.alertname === 'BudDeploymentDegraded' && (e.exp_alerts ?? []).length > 0,
    );
    expect(degraded?.eval_time).toBe('7m');
    const early = {
      ...tests,
      rule_files: [rulesFile],
      tests: [{ ...tests.tests[0], alert_rule_test: [{ ...degraded, eval_time: '6m' }] }],
    };
    const run = await runPromtool(['test', 'rules', writeYaml('early.test.yaml', early)], scratch);
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toContain('BudDeploymentDegraded');
  });

  it('promtool check rules refuses a rule with a PromQL error', async () => {
    const broken = { groups: [{ name: 'broken', rules: [{ alert: 'Broken', expr: 'max by (deployment_id (bud_deployment_status' }] }] };
    const run = await runPromtool(['check', 'rules', writeYaml('broken.yaml', broken)], scratch);
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toMatch(/parse error/);
  });

  it('every dashboard query parses as PromQL (Grafana’s variables given values)', async () => {
    const queries = dashboardQueries(readDashboard()).map((q) => ({
      ...q,
      expr: withGrafanaVariables(q.variable ? q.query.replace(/^\s*label_values\((.*),\s*\w+\s*\)\s*$/, '$1') : q.query),
    }));
    expect(queries.length).toBeGreaterThan(10);
    const groups = { groups: [{ name: 'dashboard', rules: queries.map((q, i) => ({ record: `dashboard:query_${i}`, expr: q.expr })) }] };
    const run = await runPromtool(['check', 'rules', writeYaml('dashboard.yaml', groups)], scratch);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`SUCCESS: ${queries.length} rules found`);
  });
});
