import type { ComponentDefinition } from '@bud/contracts';
import type { ErrorDetail } from '@bud/errors';
import { collectReferences, describeReference } from '../expressions';
import { expressionDetail } from './analyze-template';
import { JOB_OUTPUT_FIELDS } from './types';

/** Checks beyond the schema: output templates may only read the job's outputs (`service`, `port`, ...). */
export function checkComponentDefinition(definition: ComponentDefinition): ErrorDetail[] {
  const scan = collectReferences(definition.outputs, ['outputs']);
  const errors = scan.errors.map(expressionDetail);
  for (const ref of scan.references) {
    if (ref.segments.length !== 1 || !JOB_OUTPUT_FIELDS.has(ref.segments[0])) {
      errors.push({
        path: ref.path,
        message: `${describeReference(ref.segments)} is not a job output; use ${[...JOB_OUTPUT_FIELDS].join(', ')} (column ${ref.column})`,
      });
    }
  }
  return errors;
}
