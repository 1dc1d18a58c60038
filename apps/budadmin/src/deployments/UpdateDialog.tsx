import { useCallback, useEffect, useMemo, useState } from 'react';
import { Spin } from 'antd';
import type { DeploymentResponse } from '@bud/contracts';
import { api } from '../api/client';
import { useRequest } from '../api/use-request';
import { ChangeDialog } from '../components/ChangeDialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { ParameterForm } from '../components/ParameterForm';
import { changedParameters, updateProblems } from '../forms/changed-parameters';
import { formFields } from '../forms/schema-form';

interface Props {
  deployment: DeploymentResponse;
  open: boolean;
  onClose: () => void;
  onApplied: () => void;
}

/** Update: the parameter form prefilled with the deployment's values (secrets stay masked) → preview → apply. */
export function UpdateDialog({ deployment, open, onClose, onApplied }: Props) {
  const schema = useRequest(() => api.templateSchema(deployment.template_id), [deployment.template_id]);
  const fields = useMemo(() => (schema.data ? formFields(schema.data) : []), [schema.data]);
  const [values, setValues] = useState<Record<string, unknown>>(deployment.parameters);
  useEffect(() => {
    if (open) setValues(deployment.parameters);
    // The form starts from the values as they are when the dialog opens, not as they move meanwhile.
  }, [open]);

  const changes = changedParameters(fields, deployment.parameters, values);
  const problems = updateProblems(fields, values);
  const blocked =
    Object.keys(problems).length > 0
      ? 'Correct the fields marked above to preview'
      : Object.keys(changes).length === 0
        ? 'Change a parameter to preview the update'
        : undefined;
  const preview = useCallback(() => api.updatePlan(deployment.id, changes), [deployment.id, JSON.stringify(changes)]);

  const form = schema.error ? (
    <ErrorAlert error={schema.error} title="Could not load the template's parameters" />
  ) : !schema.data ? (
    <Spin />
  ) : (
    <ParameterForm
      fields={fields}
      values={values}
      problems={problems}
      onChange={(name, value) => setValues((v) => ({ ...v, [name]: value }))}
    />
  );

  return (
    <ChangeDialog
      title={`Update ${deployment.name}`}
      open={open}
      onClose={onClose}
      form={form}
      previewBlocked={blocked}
      preview={preview}
      apply={() => api.update(deployment.id, changes)}
      applyLabel="Apply update"
      onApplied={onApplied}
    />
  );
}
