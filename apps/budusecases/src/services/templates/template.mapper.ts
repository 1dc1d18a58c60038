import type { TemplateResponse, TemplateVersionResponse } from '@bud/contracts';
import type { TemplateRecord } from '../../entities/records';
import type { TemplateVersionRecord } from '../../repositories/template-rows';

export function toTemplateResponse(template: TemplateRecord): TemplateResponse {
  return {
    ...template.document,
    is_system: template.isSystem,
    is_active: template.isActive,
    source_file: template.sourceFile,
    tenant_id: template.tenantId,
    created_by: template.createdBy,
    forked_from: template.forkedFrom,
    revision: template.revision,
    created_at: template.createdAt.toISOString(),
    updated_at: template.updatedAt.toISOString(),
  };
}

export function toTemplateVersionResponse(version: TemplateVersionRecord): TemplateVersionResponse {
  return {
    id: version.id,
    version: version.version,
    revision: version.revision,
    change: version.change,
    author: version.author,
    document: version.document,
    created_at: version.createdAt.toISOString(),
  };
}
