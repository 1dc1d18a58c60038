import { useCallback, useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { Button, Modal, Space, Spin } from 'antd';
import type { ChangePlan } from '@bud/contracts';
import { ChangePlanView } from './ChangePlanView';
import { ErrorAlert } from './ErrorAlert';

interface Props {
  title: string;
  open: boolean;
  onClose: () => void;
  /** What the user edits before the preview (a form); without it the preview loads when the dialog opens. */
  form?: ReactNode;
  /** Why the preview cannot be asked for yet (nothing changed, a field is invalid). */
  previewBlocked?: string;
  /** Asks for the plan again when it changes while the plan is shown (the delete dialog's keep-data choice). */
  previewKey?: string;
  /** Shown above the plan, e.g. the keep-data choice. */
  aboveThePlan?: ReactNode;
  preview: () => Promise<ChangePlan>;
  apply: () => Promise<unknown>;
  applyLabel: string;
  danger?: boolean;
  onApplied: () => void;
}

/** Every change the UI makes goes edit → preview (the ChangePlan) → apply, in this one dialog. */
export function ChangeDialog(props: Props) {
  const { open, form, previewKey, preview } = props;
  const [plan, setPlan] = useState<ChangePlan>();
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState<'preview' | 'apply'>();
  const [stage, setStage] = useState<'edit' | 'review'>(form ? 'edit' : 'review');
  // A newer request makes an older answer stale: the keep-data box can be toggled while a plan loads.
  const asked = useRef(0);

  const loadPlan = useCallback(async () => {
    const ticket = ++asked.current;
    setBusy('preview');
    setFailure(undefined);
    try {
      const answer = await preview();
      if (ticket !== asked.current) return;
      setPlan(answer);
      setStage('review');
    } catch (error) {
      if (ticket === asked.current) setFailure(error);
    } finally {
      if (ticket === asked.current) setBusy(undefined);
    }
  }, [preview]);

  useEffect(() => {
    if (!open) return;
    setPlan(undefined);
    setFailure(undefined);
    setStage(form ? 'edit' : 'review');
    if (!form) void loadPlan();
    // Only opening resets the dialog (loadPlan changes with every render of its caller).
  }, [open]);

  const shownKey = useRef(previewKey);
  useEffect(() => {
    if (shownKey.current === previewKey) return;
    shownKey.current = previewKey;
    if (open && stage === 'review') void loadPlan();
  }, [previewKey]);

  const apply = async () => {
    setBusy('apply');
    setFailure(undefined);
    try {
      await props.apply();
      props.onApplied();
      props.onClose();
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(undefined);
    }
  };

  const footer =
    stage === 'edit' ? (
      <Space>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button type="primary" disabled={props.previewBlocked !== undefined} loading={busy === 'preview'} onClick={() => void loadPlan()}>
          Preview
        </Button>
      </Space>
    ) : (
      <Space>
        {form ? <Button onClick={() => setStage('edit')}>Back</Button> : <Button onClick={props.onClose}>Cancel</Button>}
        <Button
          type="primary"
          danger={props.danger}
          disabled={!plan || busy === 'preview'}
          loading={busy === 'apply'}
          onClick={() => void apply()}
        >
          {props.applyLabel}
        </Button>
      </Space>
    );

  return (
    <Modal title={props.title} open={open} onCancel={props.onClose} footer={footer} width={960} destroyOnHidden>
      {failure ? <ErrorAlert error={failure} title="The platform refused this" /> : null}
      {stage === 'edit' ? (
        <>
          {form}
          {props.previewBlocked ? <div style={{ color: 'rgba(0,0,0,0.45)' }}>{props.previewBlocked}</div> : null}
        </>
      ) : (
        <div style={{ display: 'flex', flexDirection: 'column', gap: 16, marginTop: failure ? 16 : 0 }}>
          {props.aboveThePlan}
          {plan ? <ChangePlanView plan={plan} /> : busy === 'preview' ? <Spin /> : null}
        </div>
      )}
    </Modal>
  );
}
