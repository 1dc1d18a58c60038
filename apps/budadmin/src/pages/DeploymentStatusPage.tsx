import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Descriptions, Popconfirm, Result, Space, Spin, Tag, Timeline, Typography } from 'antd';
import { Link, useParams } from 'react-router-dom';
import { componentRetryAllowed, desiredStateShownBy } from '@bud/contracts';
import type { DeploymentEvent, DeploymentResponse } from '@bud/contracts';
import { api } from '../api/client';
import { ApiError, describeError } from '../api/api-error';
import { useDeploymentStream } from '../api/deployment-stream';
import { DagView } from '../components/DagView';
import { ErrorAlert } from '../components/ErrorAlert';
import { StatusTag, statusColor } from '../components/StatusTag';
import { componentScalable, deploymentOffers } from '../deployments/change-actions';
import { ActualCost } from '../costs/ActualCost';
import { ComponentsTable, explain } from '../deployments/ComponentsTable';
import { DeleteDialog } from '../deployments/DeleteDialog';
import { ScaleDialog } from '../deployments/ScaleDialog';
import { StopDialog } from '../deployments/StopDialog';
import { UpdateDialog } from '../deployments/UpdateDialog';
import { UpgradeBanner } from '../deployments/UpgradeBanner';

export default function DeploymentStatusPage() {
  const { id = '' } = useParams();
  const { message } = AntApp.useApp();
  const [deployment, setDeployment] = useState<DeploymentResponse>();
  const [events, setEvents] = useState<DeploymentEvent[]>([]);
  const [error, setError] = useState<unknown>();
  const [gone, setGone] = useState(false);
  const [busy, setBusy] = useState<string>();
  const [dialog, setDialog] = useState<'update' | 'stop' | 'delete'>();
  const [scaling, setScaling] = useState<string>();

  // A burst of events (the history on connect, a wave of components) costs one read in flight and one after it.
  const reading = useRef<{ busy: boolean; again: boolean }>({ busy: false, again: false });
  const refresh = useCallback(async () => {
    if (reading.current.busy) {
      reading.current.again = true;
      return;
    }
    reading.current.busy = true;
    try {
      do {
        reading.current.again = false;
        try {
          setDeployment(await api.deployment(id));
          setError(undefined);
        } catch (failure) {
          if (failure instanceof ApiError && failure.status === 404) setGone(true);
          else setError(failure);
        }
      } while (reading.current.again);
    } finally {
      reading.current.busy = false;
    }
  }, [id]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const stream = useDeploymentStream(id, (event) => {
    setEvents((seen) => (seen.some((e) => e.id === event.id) ? seen : [...seen, event]));
    void refresh();
  });

  const act = async (label: string, action: () => Promise<unknown>) => {
    setBusy(label);
    try {
      await action();
      void message.success(`${label} requested`);
      await refresh();
    } catch (failure) {
      void message.error(describeError(failure));
    } finally {
      setBusy(undefined);
    }
  };

  if (gone)
    return <Result status="success" title="This deployment has been deleted" extra={<Link to="/deployments">Back to deployments</Link>} />;
  if (error && !deployment) return <ErrorAlert error={error} title="Could not load the deployment" />;
  if (!deployment) return <Spin />;
  const components = deployment.components ?? [];
  const allowed = deploymentOffers(deployment.status, deployment.upgrade_available);
  const desired = desiredStateShownBy(deployment.status);
  const applied = (label: string) => () => {
    void message.success(`${label} requested`);
    void refresh();
  };

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Space align="center" wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={2} style={{ margin: 0 }}>
          {deployment.name}{' '}
          <span data-testid="deployment-status">
            <StatusTag status={deployment.status} />
          </span>
        </Typography.Title>
        <Space>
          <Tag color={stream === 'live' ? 'green' : 'orange'}>{stream === 'live' ? 'live' : stream}</Tag>
          <Button disabled={!allowed.stop} onClick={() => setDialog('stop')}>
            Stop
          </Button>
          <Popconfirm
            title="Start a new run of this deployment?"
            okText="Start"
            onConfirm={() => void act('Start', () => api.start(id))}
            disabled={!allowed.start}
          >
            <Button disabled={!allowed.start} loading={busy === 'Start'}>
              Start
            </Button>
          </Popconfirm>
          <Button disabled={!allowed.update} onClick={() => setDialog('update')}>
            Update
          </Button>
          <Button danger disabled={!allowed.delete} onClick={() => setDialog('delete')}>
            Delete
          </Button>
        </Space>
      </Space>
      {deployment.status === 'degraded' ? (
        <Alert
          type="warning"
          showIcon
          data-testid="degraded-reason"
          title="Degraded"
          description={deployment.status_message ?? 'a component is unhealthy'}
        />
      ) : deployment.status_message ? (
        <Typography.Text type="secondary">{deployment.status_message}</Typography.Text>
      ) : null}
      {allowed.upgrade ? <UpgradeBanner deployment={deployment} onApplied={applied('Upgrade')} /> : null}
      <UpdateDialog deployment={deployment} open={dialog === 'update'} onClose={() => setDialog(undefined)} onApplied={applied('Update')} />
      <StopDialog
        deploymentId={id}
        name={deployment.name}
        open={dialog === 'stop'}
        onClose={() => setDialog(undefined)}
        onApplied={applied('Stop')}
      />
      <DeleteDialog
        deploymentId={id}
        name={deployment.name}
        open={dialog === 'delete'}
        onClose={() => setDialog(undefined)}
        onApplied={applied('Delete')}
      />
      <ScaleDialog
        deploymentId={id}
        component={components.find((c) => c.id === scaling)}
        onClose={() => setScaling(undefined)}
        onApplied={applied('Scale')}
      />
      <Descriptions size="small" bordered column={{ xs: 1, md: 3 }}>
        <Descriptions.Item label="Template">
          <Link to={`/usecases/${deployment.template_id}`}>{deployment.template_id}</Link> v{deployment.template_version}
        </Descriptions.Item>
        <Descriptions.Item label="Run">{deployment.run}</Descriptions.Item>
        <Descriptions.Item label="$/hour">{deployment.estimated_cost_per_hour}</Descriptions.Item>
        <Descriptions.Item label="Actual cost">
          <ActualCost deployment={deployment} refreshKey={deployment.updated_at} />
        </Descriptions.Item>
        <Descriptions.Item label="Namespace">{deployment.namespace}</Descriptions.Item>
        <Descriptions.Item label="On failure">{deployment.on_failure}</Descriptions.Item>
        <Descriptions.Item label="Created">{new Date(deployment.created_at).toLocaleString()}</Descriptions.Item>
      </Descriptions>
      <Card title="Components">
        <DagView
          nodes={components.map((c) => ({
            id: c.id,
            label: c.component_ref,
            wave: c.wave,
            dependsOn: c.depends_on,
            status: c.status,
            detail: explain(c),
          }))}
        />
        <ComponentsTable
          components={components}
          canScale={(c) => allowed.scale && componentScalable(c)}
          canRetry={(c) => componentRetryAllowed(c.status, desired)}
          onScale={setScaling}
          onRetry={(cid) => void act('Retry', () => api.retry(id, cid))}
        />
      </Card>
      <Card title="Events">
        <Timeline
          items={[...events]
            .reverse()
            .slice(0, 100)
            .map((e) => ({
              color: statusColor(e.status ?? '') === 'default' ? 'gray' : statusColor(e.status ?? ''),
              children: (
                <span>
                  <Typography.Text type="secondary">{new Date(e.occurred_at).toLocaleTimeString()}</Typography.Text>{' '}
                  {e.component_id ? <strong>{e.component_id}</strong> : null} {e.status ?? ''} {e.message ?? ''}
                </span>
              ),
            }))}
        />
      </Card>
    </Space>
  );
}
