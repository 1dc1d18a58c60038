import { createHash } from 'node:crypto';
import type { ComponentDefinition, TemplateDocument } from '@bud/contracts';
import type { ErrorDetail } from '@bud/errors';
import { canonicalJson, checkChartRef, checkHelmValues, checkImageHost } from '@bud/workloads';
import type { Registry, Result } from './resolver';
import { checkComponentDefinition, validateTemplate } from './resolver';
import { chartRefOf } from './resolver/component-fields';

/** docs/design.md#helm-and-image-safety rules for a template's helm config, reported under the path the resolver hands in. */
export const helmValuesCheck = (values: Record<string, unknown>, path: string): ErrorDetail[] => checkHelmValues(values, [], path);

/** Everything beyond the schema that makes a registry component unusable: output templates, chart/image hosts, unsafe defaults. */
export function componentProblems(definition: ComponentDefinition): ErrorDetail[] {
  const problems = [...checkComponentDefinition(definition)];
  if (definition.deployment_type === 'helm') {
    problems.push(...checkChartRef(chartRefOf(definition), 'helm_repo'));
    problems.push(...checkHelmValues(definition.default_values, [], 'default_values'));
  }
  if (definition.image !== undefined) problems.push(...checkImageHost(definition.image, 'image'));
  return problems;
}

/** Full validation of a template document: schema, registry refs, expressions, DAG and helm safety. */
export function templateProblems(document: unknown, registry: Registry): Result<TemplateDocument> {
  return validateTemplate(document, registry, { checkHelmValues: helmValuesCheck });
}

export { canonicalJson };

export const contentHash = (document: unknown): string => createHash('sha256').update(canonicalJson(document)).digest('hex');
