import { Alert, List, Tag } from 'antd';
import type { DeploymentPlan } from '@bud/contracts';

const label = (check: string): string => check.replace('_', ' ');

/**
 * docs/templates.md#typed-contracts: the contract checks the dry-run passed (protocols, embedding dimension,
 * context window, GPU memory) and those it could not run; a failed check never reaches here (the dry-run
 * answers 422 naming the parameter, shown by the form's error alert).
 */
export function ContractChecks({ plan }: { plan: Pick<DeploymentPlan, 'checks' | 'warnings'> }) {
  const checks = plan.checks ?? [];
  const warnings = plan.warnings ?? [];
  if (checks.length === 0 && warnings.length === 0) return null;
  return (
    <div data-testid="contract-checks">
      {warnings.length > 0 ? (
        <Alert
          type="warning"
          showIcon
          data-testid="contract-warnings"
          message={`${warnings.length} contract check${warnings.length === 1 ? '' : 's'} could not run`}
          description={
            <ul style={{ margin: 0, paddingLeft: 20 }}>
              {warnings.map((w, i) => (
                <li key={i} data-warning-path={w.path}>
                  {w.component}: {w.message}
                </li>
              ))}
            </ul>
          }
        />
      ) : null}
      {checks.length > 0 ? (
        <List
          size="small"
          header={<strong>Contract checks passed</strong>}
          dataSource={checks}
          renderItem={(c) => (
            <List.Item data-check={c.check} data-component={c.component}>
              <Tag color="green">{label(c.check)}</Tag> {c.component}: {c.message}
            </List.Item>
          )}
        />
      ) : null}
    </div>
  );
}
