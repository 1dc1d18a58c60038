import { z } from 'zod';
import { budadminConfigSchema } from '../../apps/budadmin/server/budadmin.config';
import { budclusterConfigSchema } from '../../apps/budcluster/src/config/budcluster.config';
import { budusecasesConfigSchema } from '../../apps/budusecases/src/config/budusecases.config';

interface Property {
  default?: string | number | boolean;
  description?: string;
  enum?: Array<string | number>;
}

const services: Array<[string, z.ZodObject]> = [
  ['budcluster', budclusterConfigSchema],
  ['budusecases', budusecasesConfigSchema],
  ['budadmin', budadminConfigSchema],
];

function row(name: string, property: Property): string {
  const fallback = property.default === undefined ? '—' : `\`${String(property.default)}\``;
  const values = property.enum ? ` (${property.enum.map((v) => `\`${String(v)}\``).join(', ')})` : '';
  return `| \`${name}\` | ${fallback} | ${(property.description ?? '').replace(/\|/g, '\\|')}${values} |`;
}

/** The README's configuration tables, generated from the services' zod config schemas. */
export function envTables(): string {
  return services
    .map(([service, schema]) => {
      const properties = (z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, Property> })
        .properties;
      return [
        `### ${service}`,
        '',
        '| variable | default | meaning |',
        '|---|---|---|',
        ...Object.entries(properties).map(([name, p]) => row(name, p)),
      ].join('\n');
    })
    .join('\n\n');
}
