import type { TemplateParameter, TemplateResponse } from '@bud/contracts';
import { renderFields, renderTable } from '../format/table';
import { formatList, formatValue, orDash } from '../format/values';
import type { CommandSpec } from './command';
import { printPage } from './list-output';
import { pageQuery, pagingOptions } from './paging';

export const templateCommands: CommandSpec[] = [
  {
    words: ['templates', 'list'],
    args: [],
    summary: "List the templates you can deploy (system templates and your tenant's)",
    options: pagingOptions,
    async run(context) {
      const answer = await context.usecases.listTemplates(pageQuery(context.input));
      printPage(context, answer, 'templates', (items) =>
        renderTable(
          ['id', 'name', 'category', 'version', { header: 'components', align: 'right' }, 'source'],
          items.map((t) => [t.id, t.name, t.category, t.version, String(t.components.length), t.is_system ? 'system' : 'user']),
        ),
      );
    },
  },
  {
    words: ['templates', 'show'],
    args: ['<id>'],
    summary: 'Show a template: its parameters and components',
    options: {},
    async run(context) {
      const template = await context.usecases.getTemplate(context.input.positionals[0]);
      if (context.format === 'json') return context.output.json(template);
      context.output.out(renderTemplate(template));
    },
  },
  {
    words: ['templates', 'schema'],
    args: ['<id>'],
    summary: "Print the JSON Schema of a template's parameters",
    details: 'The schema is JSON in either output format.',
    options: {},
    async run(context) {
      context.output.json(await context.usecases.getTemplateSchema(context.input.positionals[0]));
    },
  },
];

function renderTemplate(t: TemplateResponse): string {
  const sections = [
    renderFields([
      ['ID', t.id],
      ['Name', t.name],
      ['Version', t.version],
      ['Category', `${t.category} (${t.complexity})`],
      [
        'Source',
        t.is_system
          ? `system${t.source_file ? ` (${t.source_file})` : ''}`
          : `user${t.forked_from ? `, forked from ${t.forked_from}` : ''}`,
      ],
      ['Tags', formatList(t.tags)],
      ...(t.description ? [['Description', t.description] as const] : []),
    ]),
  ];
  if (t.parameters.length > 0) {
    sections.push(
      `Parameters:\n${renderTable(['name', 'type', 'required', 'default', 'allowed', 'description'], t.parameters.map(parameterRow))}`,
    );
  }
  sections.push(
    `Components:\n${renderTable(
      ['id', 'component', 'depends on', 'gpus'],
      t.components.map((c) => [
        c.id,
        c.component_ref,
        formatList(c.depends_on),
        c.gpu_count === undefined ? '-' : `${String(c.gpu_count)}${c.gpu_type ? `x ${c.gpu_type}` : ''}`,
      ]),
    )}`,
  );
  return sections.join('\n\n');
}

function parameterRow(p: TemplateParameter): string[] {
  return [p.name, p.type, p.required ? 'yes' : 'no', formatValue(p.default), allowedValues(p), orDash(p.label ?? p.description)];
}

function allowedValues(p: TemplateParameter): string {
  if (p.options) return p.options.map(String).join(', ');
  const range = p.type === 'integer' || p.type === 'number' ? '' : ' chars';
  if (p.min !== undefined && p.max !== undefined) return `${p.min}..${p.max}${range}`;
  if (p.min !== undefined) return `>= ${p.min}${range}`;
  if (p.max !== undefined) return `<= ${p.max}${range}`;
  return p.pattern ? `/${p.pattern}/` : '-';
}
