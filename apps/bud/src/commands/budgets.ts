import type { BudgetResponse, PutBudgetRequest } from '@bud/contracts';
import { budgetActions, putBudgetRequestSchema, uuidSchema } from '@bud/contracts';
import { UsageError } from '../errors';
import { renderBudgets } from '../format/billing';
import type { CommandContext, CommandSpec } from './command';

const FLAG_OF: Record<string, string> = {
  monthly_amount: '--amount',
  thresholds: '--thresholds',
  action: '--action',
  project_id: '--project',
};

/** `80,100` → [80, 100]; anything not a whole number is refused here, the rest by the API's own schema. */
export function parseThresholds(text: string): number[] {
  const parts = text.split(',').map((t) => t.trim());
  if (parts.some((t) => !/^\d+$/.test(t)))
    throw new UsageError(`--thresholds must be whole percentages separated by commas, like 80,100, got '${text}'`);
  return parts.map(Number);
}

/** The flags as a budget, checked by the API's schema; a problem names the flag it came from. */
export function budgetRequestFromFlags(context: CommandContext): PutBudgetRequest {
  const { input } = context;
  const thresholds = input.string('thresholds');
  const body = {
    project_id: input.string('project') ?? null,
    monthly_amount: input.requiredString('amount').replace(/^\$/, ''),
    ...(thresholds === undefined ? {} : { thresholds: parseThresholds(thresholds) }),
    ...(input.string('action') === undefined ? {} : { action: input.string('action') }),
  };
  const parsed = putBudgetRequestSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = String(issue.path[0]);
  const message = field === 'action' ? `must be ${budgetActions.join(', ')}` : issue.message;
  throw new UsageError(`${FLAG_OF[field] ?? field}: ${message}, got '${input.string(FLAG_OF[field]?.slice(2) ?? field) ?? ''}'`);
}

/** GET /budgets answers a list; read a bare array and a page alike. */
function itemsOf(answer: BudgetResponse[] | { items: BudgetResponse[] }): BudgetResponse[] {
  return Array.isArray(answer) ? answer : answer.items;
}

/** docs/design.md#budgets: a monthly amount per tenant or project, thresholds, and what happens at 100%. */
export const budgetCommands: CommandSpec[] = [
  {
    words: ['budgets', 'list'],
    args: [],
    summary: "List your tenant's budgets with this month's spend, what remains and the projected month-end spend",
    details: 'PROJECTED is spent so far plus what running work costs per hour until the month ends. * marks a threshold crossed.',
    options: {},
    async run(context) {
      const answer = await context.clusters.client.get<BudgetResponse[] | { items: BudgetResponse[] }>('/api/v1/budgets', {
        page_size: 100,
      });
      if (context.format === 'json') return context.output.json(answer);
      context.output.out(renderBudgets(itemsOf(answer)));
    },
  },
  {
    words: ['budgets', 'set'],
    args: [],
    summary: "Set the tenant's (or a project's) monthly budget (needs billing:manage)",
    details: [
      'Example: bud budgets set --amount 1000 --thresholds 80,100 --action block_new',
      'At each threshold an event is published once a month. At 100%: notify does nothing more, block_new refuses',
      'new deployments and jobs whose rest-of-month cost exceeds what remains, stop stops running deployments',
      '(keeping their data). Setting the same scope again replaces its budget.',
    ].join('\n'),
    options: {
      amount: { type: 'string', value: 'usd', required: true, description: 'the monthly amount in USD, like 1000 or 1500.50' },
      project: { type: 'string', value: 'uuid', description: "a project's budget instead of the tenant's" },
      thresholds: {
        type: 'string',
        value: 'percents',
        description: 'when to publish an event, like 80,100 (default; 100 is always included)',
      },
      action: { type: 'string', value: budgetActions.join('|'), description: 'what happens at 100% (default notify)' },
    },
    async run(context) {
      const body = budgetRequestFromFlags(context);
      const saved = await context.clusters.client.json<BudgetResponse>('PUT', '/api/v1/budgets', { body });
      if (context.format === 'json') return context.output.json(saved);
      context.output.out(renderBudgets([saved]));
    },
  },
  {
    words: ['budgets', 'delete'],
    args: ['<id>'],
    summary: 'Delete a budget (needs billing:manage); its usage stays in the ledger',
    options: {},
    async run(context) {
      const id = context.input.positionals[0];
      if (!uuidSchema.safeParse(id).success) throw new UsageError(`the budget id must be a UUID (see bud budgets list), got '${id}'`);
      await context.clusters.client.delete(`/api/v1/budgets/${id}`);
      if (context.format === 'json') return context.output.json({ id, deleted: true });
      context.output.out(`Deleted budget ${id}.`);
    },
  },
];
