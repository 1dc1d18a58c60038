import { useCallback } from 'react';
import { Alert } from 'antd';
import { api } from '../api/client';
import { ChangeDialog } from '../components/ChangeDialog';

interface Props {
  deploymentId: string;
  name: string;
  open: boolean;
  onClose: () => void;
  onApplied: () => void;
}

/** Stop: the plan removes every live component and keeps the volumes, so Start runs it again on the same data. */
export function StopDialog({ deploymentId, name, open, onClose, onApplied }: Props) {
  const preview = useCallback(() => api.stopPlan(deploymentId), [deploymentId]);
  return (
    <ChangeDialog
      title={`Stop ${name}`}
      open={open}
      onClose={onClose}
      aboveThePlan={
        <Alert
          type="info"
          showIcon
          data-testid="stop-keeps-volumes"
          title="Stopping keeps the volumes"
          description="Every component's pods go away; its volumes and their data stay on the cluster, and Start runs the deployment again on them."
        />
      }
      preview={preview}
      apply={() => api.stop(deploymentId)}
      applyLabel="Stop"
      danger
      onApplied={onApplied}
    />
  );
}
