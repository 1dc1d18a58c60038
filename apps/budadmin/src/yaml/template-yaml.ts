import { dump } from 'js-yaml';
import type { TemplateResponse } from '@bud/contracts';

const DOCUMENT_FIELDS = [
  'id',
  'name',
  'description',
  'category',
  'version',
  'complexity',
  'tags',
  'parameters',
  'components',
  'routing',
  'observability',
] as const;
// The order a person writes a template in (docs/templates.md); the API returns keys in storage order.
const KEY_ORDER = [
  ...DOCUMENT_FIELDS,
  'type',
  'label',
  'component_ref',
  'depends_on',
  'condition',
  'required',
  'default',
  'options',
  'min',
  'max',
  'pattern',
  'model_id',
  'gpu_type',
  'gpu_count',
  'replicas',
  'resources',
  'config',
  'env',
];
const rank = (key: string) => {
  const at = KEY_ORDER.indexOf(key);
  return at < 0 ? KEY_ORDER.length : at;
};

/** The editable document of a template (its API-only fields left out) as YAML, keys in writing order. */
export function templateYaml(template: TemplateResponse): string {
  const document: Record<string, unknown> = {};
  for (const field of DOCUMENT_FIELDS) if (template[field] !== undefined) document[field] = template[field];
  return dump(document, { lineWidth: 120, noRefs: true, sortKeys: (a: string, b: string) => rank(a) - rank(b) || a.localeCompare(b) });
}
