import { useMemo, useState } from 'react';
import { Button, Card, Input, Radio, Space, Spin, Steps, Tag, Typography } from 'antd';
import { useNavigate, useParams } from 'react-router-dom';
import type { DeploymentPlan } from '@bud/contracts';
import { api } from '../api/client';
import { ApiError } from '../api/api-error';
import { useRequest } from '../api/use-request';
import { ErrorAlert } from '../components/ErrorAlert';
import { ParameterForm } from '../components/ParameterForm';
import { PlanReview } from '../components/PlanReview';
import { formFields, formProblems, parametersFrom } from '../forms/schema-form';

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export default function DeployWizardPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const template = useRequest(() => api.template(id), [id]);
  const schema = useRequest(() => api.templateSchema(id), [id]);
  const clusters = useRequest(() => api.clusters(), []);
  const fields = useMemo(() => (schema.data ? formFields(schema.data) : []), [schema.data]);

  const [step, setStep] = useState(0);
  const [clusterId, setClusterId] = useState<string>();
  const [name, setName] = useState('');
  const [values, setValues] = useState<Record<string, unknown>>({});
  const [touched, setTouched] = useState(false);
  const [serverProblems, setServerProblems] = useState<Record<string, string>>({});
  const [plan, setPlan] = useState<DeploymentPlan>();
  const [busy, setBusy] = useState<string>();
  const [failure, setFailure] = useState<unknown>();

  const loadError = template.error ?? schema.error ?? clusters.error;
  if (loadError) return <ErrorAlert error={loadError} title="Could not load what the wizard needs" />;
  if (!template.data || !schema.data || !clusters.data) return <Spin />;

  const clientProblems = touched ? formProblems(fields, values) : {};
  const problems = { ...serverProblems, ...clientProblems };
  const nameProblem = touched && !NAME.test(name) ? 'must be a DNS label of at most 40 lowercase letters, digits and dashes' : null;
  const request = () => ({ template_id: id, name, cluster_id: clusterId!, parameters: parametersFrom(fields, values) });

  const review = async () => {
    setTouched(true);
    if (Object.keys(formProblems(fields, values)).length > 0 || !NAME.test(name) || name.length > 40) return;
    setBusy('Planning the deployment…');
    setFailure(undefined);
    try {
      setPlan(await api.dryRun(request()));
      setServerProblems({});
      setStep(2);
    } catch (error) {
      if (error instanceof ApiError) setServerProblems(error.fieldProblems('parameters'));
      setFailure(error);
    } finally {
      setBusy(undefined);
    }
  };

  const deploy = async () => {
    setBusy('Creating the deployment…');
    setFailure(undefined);
    try {
      const created = await api.deploy(request());
      void navigate(`/deployments/${created.id}`);
    } catch (error) {
      setFailure(error);
      setBusy(undefined);
    }
  };

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        Deploy {template.data.name}
      </Typography.Title>
      <Steps current={step} items={[{ title: 'Cluster' }, { title: 'Parameters' }, { title: 'Review' }]} />
      {failure ? <ErrorAlert error={failure} title="The platform refused this" /> : null}
      {step === 0 && (
        <Card title="Where should it run?">
          {clusters.data.items.length === 0 ? <p>No cluster is registered yet.</p> : null}
          <Radio.Group value={clusterId} onChange={(e) => setClusterId(e.target.value as string)}>
            <Space direction="vertical">
              {clusters.data.items.map((c) => (
                <Radio key={c.id} value={c.id} data-cluster={c.name}>
                  <strong>{c.name}</strong> {c.simulated ? <Tag color="purple">simulated</Tag> : <Tag color="geekblue">kubernetes</Tag>}{' '}
                  <Tag>{c.status}</Tag>{' '}
                  <Typography.Text type="secondary">
                    {Object.entries(c.gpu_inventory)
                      .map(([type, total]) => `${total} × ${type}`)
                      .join(', ') || 'no GPUs'}
                  </Typography.Text>
                </Radio>
              ))}
            </Space>
          </Radio.Group>
          <div style={{ marginTop: 16 }}>
            <Button type="primary" disabled={!clusterId} onClick={() => setStep(1)}>
              Next
            </Button>
          </div>
        </Card>
      )}
      {step === 1 && (
        <Card title="Parameters">
          <label htmlFor="deployment-name">Deployment name</label>
          <Input
            id="deployment-name"
            value={name}
            onChange={(e) => setName(e.target.value.trim())}
            status={nameProblem ? 'error' : undefined}
            placeholder="my-rag"
            style={{ marginBottom: 4 }}
          />
          <div style={{ color: '#ff4d4f', minHeight: 22 }}>{nameProblem ? `Name ${nameProblem}` : ''}</div>
          <ParameterForm
            fields={fields}
            values={values}
            problems={problems}
            onChange={(field, value) => {
              setValues((v) => ({ ...v, [field]: value }));
              setServerProblems((current) => {
                const rest = { ...current };
                delete rest[field];
                return rest;
              });
            }}
          />
          <Space>
            <Button onClick={() => setStep(0)}>Back</Button>
            <Button type="primary" onClick={() => void review()} loading={busy !== undefined}>
              Review
            </Button>
            {busy ? <Typography.Text type="secondary">{busy}</Typography.Text> : null}
          </Space>
        </Card>
      )}
      {step === 2 && plan && (
        <Card title="Review the plan">
          <PlanReview plan={plan} />
          <Space style={{ marginTop: 16 }}>
            <Button onClick={() => setStep(1)}>Back</Button>
            <Button type="primary" onClick={() => void deploy()} loading={busy !== undefined}>
              Deploy
            </Button>
            {busy ? <Typography.Text type="secondary">{busy}</Typography.Text> : null}
          </Space>
        </Card>
      )}
    </Space>
  );
}
