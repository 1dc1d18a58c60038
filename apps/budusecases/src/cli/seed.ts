// `npm run seed` syncs the registry seed and system templates into DATABASE_URL (also done at start-up);
// `npm run seed -- --check` validates every file without a database, for CI.
import 'reflect-metadata';
import type { TemplateSyncResult } from '@bud/contracts';
import { ConfigError } from '@bud/config';
import { createDataSource, migrate } from '@bud/database';
import { configureLogging } from '@bud/logging';
import { systemClock } from '@bud/ports';
import { loadBudusecasesConfig } from '../config/budusecases.config';
import { budusecasesMigrations } from '../migrations';
import { ComponentRepository } from '../repositories/component.repository';
import { TemplateRepository } from '../repositories/template.repository';
import { ComponentService } from '../services/registry/component.service';
import { checkTemplateFiles, describeProblems, templatesRoot } from '../services/templates/template-files';
import { TemplateSyncService } from '../services/templates/template-sync.service';

const USAGE = 'usage: seed [--check]';

function check(templatesDir: string): number {
  const { components, templates, errors } = checkTemplateFiles(templatesDir);
  if (errors.length > 0) {
    process.stderr.write(`seed --check: ${errors.length} problem(s) in ${templatesRoot(templatesDir)}\n${describeProblems(errors)}\n`);
    return 1;
  }
  process.stdout.write(
    `seed --check: ok, ${components.length} components and ${templates.length} system templates in ${templatesRoot(templatesDir)}\n`,
  );
  return 0;
}

function report(result: TemplateSyncResult): string {
  const list = (ids: string[]) => (ids.length > 0 ? ids.join(', ') : '-');
  return [
    `created:     ${list(result.created)}`,
    `updated:     ${list(result.updated)}`,
    `unchanged:   ${list(result.unchanged)}`,
    `deactivated: ${list(result.deactivated)}`,
    ...result.conflicts.map((c) => `conflict:    ${c.source_file}: ${c.message}`),
  ].join('\n');
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.some((a) => a !== '--check')) throw new ConfigError(`unknown argument ${args.find((a) => a !== '--check')}; ${USAGE}`);
  const config = loadBudusecasesConfig();
  configureLogging({ level: 'warn', format: config.LOG_FORMAT, service: 'budusecases-seed' });
  if (args.includes('--check')) return check(config.TEMPLATES_DIR);
  if (!config.DATABASE_URL) {
    throw new ConfigError(
      'DATABASE_URL is required to seed (the embedded database is seeded at start-up); use --check to validate the files without a database',
    );
  }
  const dataSource = createDataSource({ url: config.DATABASE_URL, poolSize: 1, entities: [], migrations: budusecasesMigrations });
  await dataSource.initialize();
  try {
    await migrate(dataSource);
    const components = new ComponentRepository(dataSource);
    const templates = new TemplateRepository(dataSource);
    const sync = new TemplateSyncService(
      components,
      new ComponentService(components, templates, systemClock),
      templates,
      config.TEMPLATES_DIR,
      systemClock,
    );
    const result = await sync.syncAll({ failOnInvalid: true });
    process.stdout.write(`${report(result)}\n`);
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`seed failed: ${error instanceof ConfigError ? error.message : ((error as Error).message ?? String(error))}\n`);
    process.exit(1);
  },
);
