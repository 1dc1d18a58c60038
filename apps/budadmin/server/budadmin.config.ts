import { z } from 'zod';
import { loadConfig } from '@bud/config';

export const budadminConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8007).describe('HTTP port of the UI'),
  HOST: z.string().default('127.0.0.1').describe('bind address'),
  /** The built UI (npm run build:ui). */
  UI_DIR: z.string().default('dist/budadmin').describe('the built UI (npm run build:ui)'),
  BUDCLUSTER_URL: z
    .string()
    .url()
    .default('http://127.0.0.1:9082')
    .describe('budcluster: where /api/v1/clusters, /usage, /invoices and /budgets are proxied'),
  BUDUSECASES_URL: z.string().url().default('http://127.0.0.1:9084').describe('where the rest of /api is proxied'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info').describe('lowest level logged'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('pretty').describe('pretty lines, or json for log collectors'),
});
export type BudadminConfig = z.infer<typeof budadminConfigSchema>;

export function loadBudadminConfig(env: Record<string, string | undefined> = process.env): BudadminConfig {
  return loadConfig(budadminConfigSchema, env);
}
