import { useCallback, useState } from 'react';
import { Checkbox } from 'antd';
import { api } from '../api/client';
import { ChangeDialog } from '../components/ChangeDialog';

interface Props {
  deploymentId: string;
  name: string;
  open: boolean;
  onClose: () => void;
  onApplied: () => void;
}

/** Delete: the teardown plan with the data at risk, and the choice to keep the volumes (docs/design.md#volumes). */
export function DeleteDialog({ deploymentId, name, open, onClose, onApplied }: Props) {
  const [keepData, setKeepData] = useState(false);
  const preview = useCallback(() => api.removePlan(deploymentId, keepData), [deploymentId, keepData]);
  return (
    <ChangeDialog
      title={`Delete ${name}`}
      open={open}
      onClose={onClose}
      previewKey={String(keepData)}
      aboveThePlan={
        <Checkbox checked={keepData} onChange={(e) => setKeepData(e.target.checked)} data-testid="keep-data">
          Keep the data: the volumes stay listed on the cluster and can be deleted later
        </Checkbox>
      }
      preview={preview}
      apply={() => api.remove(deploymentId, keepData)}
      applyLabel={keepData ? 'Delete, keep the data' : 'Delete'}
      danger
      onApplied={onApplied}
    />
  );
}
