import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { ServiceTokens, TokenVerifier } from '@bud/auth';
import { databaseModule } from '@bud/database';
import type { DatabaseSettings } from '@bud/database';
import { HTTP_GUARDS, HealthController, SERVICE_CALLERS } from '@bud/http';
import type { ServiceCallers } from '@bud/http';
import type { EventPublisher } from '@bud/invocation';
import { ClusterController } from './controllers/cluster.controller';
import { JobController } from './controllers/job.controller';
import { NamespaceController } from './controllers/namespace.controller';
import { QuotaController } from './controllers/quota.controller';
import { VolumeController } from './controllers/volume.controller';
import { PriceBookController } from './controllers/price-book.controller';
import { BudgetController } from './controllers/budget.controller';
import { InvoiceController } from './controllers/invoice.controller';
import { UsageController } from './controllers/usage.controller';
import type { Clock } from '@bud/ports';
import { DRIVER_SETTINGS, DriverRegistry } from './drivers/driver-registry.service';
import type { DriverSettings } from './drivers/driver-registry.service';
import { ClusterRepository } from './repositories/cluster.repository';
import { JobRepository } from './repositories/job.repository';
import { JobListRepository } from './repositories/job-list.repository';
import { NamespaceRepository } from './repositories/namespace.repository';
import { QuotaRepository } from './repositories/quota.repository';
import { VolumeRepository } from './repositories/volume.repository';
import { MeterRepository } from './repositories/meter.repository';
import { PriceBookRepository } from './repositories/price-book.repository';
import { BudgetRepository } from './repositories/budget.repository';
import { InvoiceRepository } from './repositories/invoice.repository';
import { UsageRepository } from './repositories/usage.repository';
import { OutboxRepository } from '@bud/outbox';
import { ClusterService } from './services/cluster.service';
import { JobLifecycleService } from './services/job-lifecycle.service';
import { JobService } from './services/job.service';
import { JobListService } from './services/job-list.service';
import { ObjectNameConflicts } from './services/object-name-conflicts.service';
import { NamespaceService } from './services/namespace.service';
import { QuotaService } from './services/quota.service';
import { METRICS_REGISTRY } from './services/metrics';
import { OUTBOX_RELAY_SETTINGS, OutboxRelay } from '@bud/outbox';
import type { OutboxRelaySettings } from '@bud/outbox';
import { ScheduleService } from './services/schedule.service';
import { JobUpdateService } from './services/job-update.service';
import { VolumeService } from './services/volume.service';
import { CrashPoints } from './services/crash-points';
import { METER_SETTINGS, MeterService, defaultMeterSettings } from './services/meter.service';
import type { MeterSettings } from './services/meter.service';
import { PriceBookService } from './services/price-book.service';
import { BudgetService } from './services/budget.service';
import { BUDGET_WATCHER, LedgerBudgetWatcher } from './services/budget-watcher';
import { InvoiceService } from './services/invoice.service';
import { UsageService } from './services/usage.service';
import { ROLLOUT_SETTINGS, RolloutWatchdog } from './services/rollout-watchdog.service';
import type { RolloutSettings } from './services/rollout-watchdog.service';
import type { SecretBox } from '@bud/auth';
import { EVENT_PUBLISHER } from '@bud/outbox';
import { CLOCK, SECRET_BOX } from '@bud/ports';

/**
 * budusecases creates and manages use-case jobs for the tenant its token names, and nothing else; it reads that
 * tenant's budget verdict for a deployment's dry-run and create (billing:view, docs/design.md#budgets).
 */
const serviceCallers: ServiceCallers = {
  audience: 'budcluster',
  accept: { budusecases: ['usecase:view', 'usecase:manage', 'billing:view'] },
};

export const budclusterControllers = [
  ClusterController,
  JobController,
  VolumeController,
  NamespaceController,
  QuotaController,
  PriceBookController,
  UsageController,
  InvoiceController,
  BudgetController,
  HealthController,
];

/** Everything the module needs from outside; `main.ts` builds it from config, tests build their own. */
export interface BudclusterRuntime {
  /** The database's URL and pool; the module connects and migrates it (TypeOrmModule). */
  database: DatabaseSettings;
  clock: Clock;
  publisher: EventPublisher;
  secretBox: SecretBox;
  verifier: TokenVerifier;
  /** Verifies budusecases' calls and signs the job events budcluster delivers directly. */
  serviceTokens: ServiceTokens;
  registry: Registry;
  relay: OutboxRelaySettings;
  drivers: DriverSettings;
  /** The rollback watchdog of docs/design.md#in-place-update (default: a check every second). */
  rollout?: RolloutSettings;
  /** The usage meter of docs/design.md#metering (default: on, every 15 s, 5 s behind the clock). */
  meter?: MeterSettings;
  /** Fault injection at the meter's named steps (tests; CRASH_AT). */
  crashPoints?: CrashPoints;
}

@Module({})
export class BudclusterModule {
  static forRoot(runtime: BudclusterRuntime): DynamicModule {
    return {
      module: BudclusterModule,
      imports: [databaseModule(runtime.database)],
      controllers: budclusterControllers,
      providers: [
        { provide: CLOCK, useValue: runtime.clock },
        { provide: EVENT_PUBLISHER, useValue: runtime.publisher },
        { provide: SECRET_BOX, useValue: runtime.secretBox },
        { provide: TokenVerifier, useValue: runtime.verifier },
        { provide: ServiceTokens, useValue: runtime.serviceTokens },
        { provide: SERVICE_CALLERS, useValue: serviceCallers },
        { provide: METRICS_REGISTRY, useValue: runtime.registry },
        { provide: OUTBOX_RELAY_SETTINGS, useValue: runtime.relay },
        { provide: DRIVER_SETTINGS, useValue: runtime.drivers },
        { provide: ROLLOUT_SETTINGS, useValue: runtime.rollout ?? { checkMs: 1000 } },
        { provide: METER_SETTINGS, useValue: runtime.meter ?? defaultMeterSettings },
        { provide: CrashPoints, useValue: runtime.crashPoints ?? new CrashPoints() },
        ...HTTP_GUARDS,
        ClusterRepository,
        JobRepository,
        JobListRepository,
        VolumeRepository,
        NamespaceRepository,
        QuotaRepository,
        OutboxRepository,
        OutboxRelay,
        JobLifecycleService,
        DriverRegistry,
        ClusterService,
        JobService,
        JobListService,
        JobUpdateService,
        VolumeService,
        ObjectNameConflicts,
        NamespaceService,
        QuotaService,
        RolloutWatchdog,
        ScheduleService,
        MeterRepository,
        MeterService,
        PriceBookRepository,
        PriceBookService,
        BudgetRepository,
        BudgetService,
        LedgerBudgetWatcher,
        { provide: BUDGET_WATCHER, useExisting: LedgerBudgetWatcher },
        UsageRepository,
        InvoiceRepository,
        UsageService,
        InvoiceService,
      ],
    };
  }
}
