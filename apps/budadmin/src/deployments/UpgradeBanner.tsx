import { useCallback, useState } from 'react';
import { Alert, Button } from 'antd';
import type { DeploymentResponse } from '@bud/contracts';
import { api } from '../api/client';
import { ChangeDialog } from '../components/ChangeDialog';

/** A newer version of the template is active: preview what moving to it changes, then upgrade in place. */
export function UpgradeBanner({ deployment, onApplied }: { deployment: DeploymentResponse; onApplied: () => void }) {
  const [open, setOpen] = useState(false);
  const preview = useCallback(() => api.upgradePlan(deployment.id), [deployment.id]);
  if (!deployment.upgrade_available) return null;
  return (
    <>
      <Alert
        type="info"
        showIcon
        data-testid="upgrade-banner"
        title={`Version ${deployment.upgrade_available} of ${deployment.template_id} is available (this deployment runs ${deployment.template_version})`}
        action={<Button onClick={() => setOpen(true)}>Preview upgrade</Button>}
      />
      <ChangeDialog
        title={`Upgrade ${deployment.name} to ${deployment.upgrade_available}`}
        open={open}
        onClose={() => setOpen(false)}
        preview={preview}
        apply={() => api.upgrade(deployment.id)}
        applyLabel="Upgrade"
        onApplied={onApplied}
      />
    </>
  );
}
