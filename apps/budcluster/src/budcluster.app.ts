import type { Server } from 'node:http';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { TokenVerifier, serviceTokensFor } from '@bud/auth';
import { isDevAuth } from '@bud/config';
import { startEmbeddedPostgres } from '@bud/database';
import type { EmbeddedPostgres } from '@bud/database';
import { closeHttpApp, createHttpApp, createMetricsRegistry } from '@bud/http';
import { DaprEventPublisher, DirectEventPublisher } from '@bud/invocation';
import type { EventPublisher } from '@bud/invocation';
import { Logger, configureLogging } from '@bud/logging';
import { BudclusterModule } from './budcluster.module';
import { budclusterOpenApiDocument } from './budcluster.openapi';
import { subscriberUrls } from './config/budcluster.config';
import type { BudclusterConfig } from './config/budcluster.config';
import type { Clock } from '@bud/ports';
import { CLOCK, systemClock } from '@bud/ports';
import { DriverRegistry } from './drivers/driver-registry.service';
import { budclusterEntities } from './entities';
import { budclusterMigrations } from './migrations';
import { JobRepository } from './repositories/job.repository';
import { ClusterService } from './services/cluster.service';
import { JobLifecycleService } from './services/job-lifecycle.service';
import { registerDriverMetrics, registerJobMetrics } from './services/metrics';
import { MeteringMetricsQueries } from './repositories/metering-metrics.repository';
import { registerMeteringMetrics } from './services/metrics-metering';
import { OutboxRelay, registerOutboxMetrics } from '@bud/outbox';
import { CrashPoints } from './services/crash-points';
import { DataSource } from 'typeorm';
import { SecretBox } from '@bud/auth';

export interface RunningBudcluster {
  app: INestApplication;
  url: string;
  stop(): Promise<void>;
}

export interface StartOverrides {
  clock?: Clock;
  publisher?: EventPublisher;
}

/** Boots the service: database (embedded when DATABASE_URL is unset), migrations, drivers, relay, HTTP. */
export async function startBudcluster(config: BudclusterConfig, overrides: StartOverrides = {}): Promise<RunningBudcluster> {
  configureLogging({ level: config.LOG_LEVEL, format: config.LOG_FORMAT, service: 'budcluster' });
  const logger = new Logger('budcluster');
  const dataDir = join(config.DATA_DIR, 'budcluster');
  let embedded: EmbeddedPostgres | undefined;
  const url = config.DATABASE_URL ?? (embedded = await startEmbeddedPostgres(join(dataDir, 'pg'))).url;
  const { registry, httpDuration } = createMetricsRegistry('budcluster');
  const serviceTokens = serviceTokensFor(config);
  const publisher =
    overrides.publisher ??
    (config.DAPR_HTTP_PORT
      ? new DaprEventPublisher(config.DAPR_HTTP_PORT)
      : new DirectEventPublisher(subscriberUrls(config), {
          tokens: serviceTokens,
          from: 'budcluster',
          to: 'budusecases',
        }));
  const module = BudclusterModule.forRoot({
    // Connected and migrated (under the advisory lock) before anything uses it; the embedded engine takes one connection.
    database: {
      url,
      poolSize: embedded ? 1 : config.DATABASE_POOL_SIZE,
      entities: budclusterEntities,
      migrations: budclusterMigrations,
      onMigrated: (applied) => {
        if (applied.length > 0) logger.info('migrations applied', { count: applied.length });
      },
    },
    clock: overrides.clock ?? systemClock,
    publisher,
    secretBox: config.SECRETS_KEY ? new SecretBox(config.SECRETS_KEY) : SecretBox.fromKeyFile(join(dataDir, 'secrets.key')),
    serviceTokens,
    verifier: new TokenVerifier({
      jwtSecret: config.AUTH_JWT_SECRET,
      jwksUrl: config.AUTH_JWKS_URL,
      issuer: config.AUTH_ISSUER,
      audience: config.AUTH_AUDIENCE,
      maxTokenTtlSeconds: config.AUTH_MAX_TOKEN_TTL_SECONDS,
    }),
    registry,
    relay: { pollMs: config.OUTBOX_POLL_MS, leaseMs: config.OUTBOX_LEASE_MS, batchSize: 100 },
    rollout: { checkMs: config.ROLLOUT_CHECK_MS },
    meter: { enabled: config.METER_ENABLED === 'true', tickMs: config.METER_TICK_MS, latenessMs: config.METER_LATENESS_MS },
    crashPoints: CrashPoints.parse(config.CRASH_AT),
    drivers: {
      kubernetesResyncMs: config.K8S_RESYNC_MS,
      kubernetesOrphanGraceMs: config.K8S_ORPHAN_GRACE_MS,
      clusterProbeMs: config.CLUSTER_PROBE_MS,
      simulatedResyncMs: 60_000,
      // Replicas share one server; the embedded engine serves this process alone, which then owns every cluster.
      ownershipDatabaseUrl: embedded ? undefined : url,
      ownershipCheckMs: config.CLUSTER_OWNERSHIP_CHECK_MS,
      allowPrivateClusterAddresses: config.CLUSTER_API_ALLOW_PRIVATE_ADDRESSES === 'true',
    },
  });
  const app = await createHttpApp(module, {
    openApiDocument: budclusterOpenApiDocument(),
    latency: httpDuration,
    corsOrigins: config.CORS_ORIGINS.split(',').filter(Boolean),
  });
  await app.init();
  registerJobMetrics(registry, app.get(JobRepository));
  registerDriverMetrics(registry, app.get(DriverRegistry));
  registerMeteringMetrics(registry, new MeteringMetricsQueries(app.get(DataSource)), app.get<Clock>(CLOCK));
  registerOutboxMetrics(registry, app.get(DataSource), app.get<Clock>(CLOCK));

  const embeddedMode = !config.DATABASE_URL;
  if (config.LOCAL_CLUSTER === 'true' || (config.LOCAL_CLUSTER === undefined && embeddedMode))
    await app.get(ClusterService).ensureLocalCluster();
  const lifecycle = app.get(JobLifecycleService);
  await app.get(DriverRegistry).startAll((observed) => lifecycle.observe(observed));
  app.get(OutboxRelay).start();

  // Dev auth has no credentials, so it must not be reachable from other hosts (docs/design.md#dev-mode).
  const host = config.HOST ?? (isDevAuth(config) ? '127.0.0.1' : '0.0.0.0');
  await app.listen(config.PORT, host);
  // Longer than the usual proxy idle timeouts, so pooled client connections are not reset mid-request.
  const server = app.getHttpServer() as Server;
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const address = server.address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  logger.info('budcluster listening', {
    url: baseUrl,
    database: embedded ? 'embedded' : 'server',
    auth: isDevAuth(config) ? 'dev' : 'jwt',
  });

  return {
    app,
    url: baseUrl,
    async stop() {
      await app.get(OutboxRelay).stop();
      await app.get(DriverRegistry).stopAll();
      // Closing the app destroys the DataSource (TypeOrmModule); the embedded engine goes after it.
      await closeHttpApp(app);
      await embedded?.stop();
    },
  };
}
