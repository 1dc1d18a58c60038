import type { TemplateDocument } from '@bud/contracts';
import { templateDocumentSchema } from '@bud/contracts';
import type { ErrorDetail } from '@bud/errors';
import { zodIssuesToDetails } from '@bud/errors';
import { analyzeTemplate } from './analyze-template';
import type { Registry, Result } from './types';

export interface ValidateOptions {
  /**
   * docs/design.md#helm-and-image-safety rules for helm values (budcluster's `checkHelmValues`), injected because that code lives
   * in budcluster; called with each helm component's config and the path prefix to report under.
   */
  checkHelmValues?: (values: Record<string, unknown>, path: string) => ErrorDetail[];
}

/**
 * Full validation of a template document (system YAML or user body): schema first, then registry refs,
 * parameters, expressions, required inputs and the dependency graph — every problem, each with its path.
 */
export function validateTemplate(document: unknown, registry: Registry, options: ValidateOptions = {}): Result<TemplateDocument> {
  const parsed = templateDocumentSchema.safeParse(document);
  if (!parsed.success) return { ok: false, errors: zodIssuesToDetails(parsed.error) };
  const template = parsed.data;
  const errors = [...analyzeTemplate(template, registry).errors];
  if (options.checkHelmValues) {
    template.components.forEach((c, i) => {
      if (registry.get(c.component_ref)?.deployment_type === 'helm')
        errors.push(...(options.checkHelmValues?.(c.config, `components[${i}].config`) ?? []));
    });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: template };
}
