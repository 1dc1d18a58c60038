import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { SecretBox, TokenVerifier, serviceTokensFor } from '@bud/auth';
import { isDevAuth } from '@bud/config';
import { startEmbeddedPostgres } from '@bud/database';
import type { EmbeddedPostgres } from '@bud/database';
import { closeHttpApp, createHttpApp, createMetricsRegistry } from '@bud/http';
import { DaprEventPublisher, DirectEventPublisher, ServiceInvoker } from '@bud/invocation';
import { Logger, configureLogging } from '@bud/logging';
import { OutboxRelay, registerOutboxMetrics } from '@bud/outbox';
import type { Clock } from '@bud/ports';
import { CLOCK, systemClock } from '@bud/ports';
import { DataSource } from 'typeorm';
import { BudusecasesModule } from './budusecases.module';
import { budusecasesOpenApiDocument } from './budusecases.openapi';
import type { BudusecasesConfig } from './config/budusecases.config';
import { budusecasesMigrations } from './migrations';
import { CrashPoints } from './services/crash-points';
import { UsecaseMetricsQueries } from './repositories/usecase-metrics.repository';
import { registerUsecaseMetrics } from './services/metrics';
import { Reconciler } from './services/deployments/reconciler.service';
import { TemplateSyncService } from './services/templates/template-sync.service';

export interface RunningBudusecases {
  app: INestApplication;
  url: string;
  stop(): Promise<void>;
}

export interface StartOverrides {
  clock?: Clock;
}

/** Boots the service: database, migrations, registry and system template sync, reconciler, relay, HTTP. */
export async function startBudusecases(config: BudusecasesConfig, overrides: StartOverrides = {}): Promise<RunningBudusecases> {
  configureLogging({ level: config.LOG_LEVEL, format: config.LOG_FORMAT, service: 'budusecases' });
  const logger = new Logger('budusecases');
  let embedded: EmbeddedPostgres | undefined;
  const url = config.DATABASE_URL ?? (embedded = await startEmbeddedPostgres(join(config.DATA_DIR, 'budusecases', 'pg'))).url;
  const { registry, httpDuration } = createMetricsRegistry('budusecases');
  const subscribers = (config.EVENT_SUBSCRIBER_URLS ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  const serviceTokens = serviceTokensFor(config);
  const module = BudusecasesModule.forRoot({
    // Connected and migrated (under the advisory lock) before anything uses it; the embedded engine takes one connection.
    database: {
      url,
      poolSize: embedded ? 1 : config.DATABASE_POOL_SIZE,
      entities: [],
      migrations: budusecasesMigrations,
      onMigrated: (applied) => {
        if (applied.length > 0) logger.info('migrations applied', { count: applied.length });
      },
    },
    publisher: config.DAPR_HTTP_PORT ? new DaprEventPublisher(config.DAPR_HTTP_PORT) : new DirectEventPublisher(subscribers),
    invoker: new ServiceInvoker({ daprHttpPort: config.DAPR_HTTP_PORT, directUrls: { budcluster: config.BUDCLUSTER_URL } }),
    serviceTokens,
    appApiToken: config.APP_API_TOKEN,
    verifier: new TokenVerifier({
      jwtSecret: config.AUTH_JWT_SECRET,
      jwksUrl: config.AUTH_JWKS_URL,
      issuer: config.AUTH_ISSUER,
      audience: config.AUTH_AUDIENCE,
      maxTokenTtlSeconds: config.AUTH_MAX_TOKEN_TTL_SECONDS,
    }),
    serviceTokenSigner: (tenantId) => serviceTokens.sign('budusecases', 'budcluster', { tenantId }),
    registry,
    relay: { pollMs: config.OUTBOX_POLL_MS, leaseMs: config.OUTBOX_LEASE_MS, batchSize: 100 },
    reconciler: {
      tickMs: config.RECONCILE_TICK_MS,
      instanceId: randomUUID(),
      leaseMs: config.RECONCILE_LEASE_MS,
      degradedGraceMs: config.DEGRADED_GRACE_MS,
    },
    crashPoints: CrashPoints.parse(config.CRASH_AT),
    secretBox: config.SECRETS_KEY
      ? new SecretBox(config.SECRETS_KEY)
      : SecretBox.fromKeyFile(join(config.DATA_DIR, 'budusecases', 'secrets.key')),
    templatesDir: config.TEMPLATES_DIR,
    clock: overrides.clock ?? systemClock,
  });
  const app = await createHttpApp(module, {
    openApiDocument: budusecasesOpenApiDocument(),
    latency: httpDuration,
    corsOrigins: config.CORS_ORIGINS.split(',').filter(Boolean),
  });
  await app.init();
  registerUsecaseMetrics(registry, new UsecaseMetricsQueries(app.get(DataSource)));
  registerOutboxMetrics(registry, app.get(DataSource), app.get<Clock>(CLOCK));

  // An invalid system template aborts start-up with the file and path (docs/design.md#system-and-user-templates).
  const sync = await app.get(TemplateSyncService).syncAll({ failOnInvalid: true });
  logger.info('templates synced', {
    created: sync.created.length,
    updated: sync.updated.length,
    conflicts: sync.conflicts.length,
    deactivated: sync.deactivated.length,
  });
  app.get(OutboxRelay).start();
  app.get(Reconciler).start();

  const host = config.HOST ?? (isDevAuth(config) ? '127.0.0.1' : '0.0.0.0');
  await app.listen(config.PORT, host);
  const server = app.getHttpServer() as Server;
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  logger.info('budusecases listening', { url: baseUrl, database: embedded ? 'embedded' : 'server', budcluster: config.BUDCLUSTER_URL });
  return {
    app,
    url: baseUrl,
    async stop() {
      await app.get(Reconciler).stop();
      await app.get(OutboxRelay).stop();
      // Closing the app destroys the DataSource (TypeOrmModule); the embedded engine goes after it.
      await closeHttpApp(app);
      await embedded?.stop();
    },
  };
}
