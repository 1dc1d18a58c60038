import { z } from 'zod';
import { loadConfig } from '@bud/config';

export const budadminConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8007),
  HOST: z.string().default('127.0.0.1'),
  /** The built UI (npm run build:ui). */
  UI_DIR: z.string().default('dist/budadmin'),
  BUDCLUSTER_URL: z.string().url().default('http://127.0.0.1:9082'),
  BUDUSECASES_URL: z.string().url().default('http://127.0.0.1:9084'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('pretty'),
});
export type BudadminConfig = z.infer<typeof budadminConfigSchema>;

export function loadBudadminConfig(env: Record<string, string | undefined> = process.env): BudadminConfig {
  return loadConfig(budadminConfigSchema, env);
}
