import { useCallback, useEffect, useState } from 'react';
import { Form, InputNumber } from 'antd';
import { MAX_REPLICAS } from '@bud/contracts';
import type { DeploymentComponentResponse } from '@bud/contracts';
import { api } from '../api/client';
import { ChangeDialog } from '../components/ChangeDialog';

interface Props {
  deploymentId: string;
  component: DeploymentComponentResponse | undefined;
  onClose: () => void;
  onApplied: () => void;
}

/** Scale one component: replicas → preview (a replicas-only change restarts nothing) → apply. */
export function ScaleDialog({ deploymentId, component, onClose, onApplied }: Props) {
  const current = component?.replicas ?? 1;
  const [replicas, setReplicas] = useState<number | null>(current);
  useEffect(() => setReplicas(current), [component?.id]);
  const id = component?.id ?? '';
  const valid = replicas !== null && Number.isInteger(replicas) && replicas >= 0 && replicas <= MAX_REPLICAS;
  const preview = useCallback(() => api.scalePlan(deploymentId, id, { replicas: replicas ?? 0 }), [deploymentId, id, replicas]);

  return (
    <ChangeDialog
      title={`Scale ${id}`}
      open={component !== undefined}
      onClose={onClose}
      form={
        <Form layout="vertical" component="div">
          <Form.Item label="Replicas" htmlFor="scale-replicas" help={`now ${current}; from 0 to ${MAX_REPLICAS}`}>
            <InputNumber id="scale-replicas" min={0} max={MAX_REPLICAS} precision={0} value={replicas} onChange={setReplicas} />
          </Form.Item>
        </Form>
      }
      previewBlocked={
        !valid
          ? `Replicas must be a whole number from 0 to ${MAX_REPLICAS}`
          : replicas === current
            ? 'Change the replicas to preview'
            : undefined
      }
      preview={preview}
      apply={() => api.scale(deploymentId, id, { replicas: replicas ?? 0 })}
      applyLabel="Apply scale"
      onApplied={onApplied}
    />
  );
}
