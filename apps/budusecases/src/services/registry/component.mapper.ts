import type { ComponentResponse } from '@bud/contracts';
import type { ComponentRecord } from '../../entities/records';

export function toComponentResponse(component: ComponentRecord): ComponentResponse {
  return {
    ...component.definition,
    is_active: component.isActive,
    created_at: component.createdAt.toISOString(),
    updated_at: component.updatedAt.toISOString(),
  };
}
