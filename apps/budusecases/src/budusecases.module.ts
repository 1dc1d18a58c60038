import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { ServiceTokens, TokenVerifier } from '@bud/auth';
import type { SecretBox } from '@bud/auth';
import { databaseModule } from '@bud/database';
import type { DatabaseSettings } from '@bud/database';
import { HealthController, httpGuards } from '@bud/http';
import type { EventPublisher, ServiceInvoker } from '@bud/invocation';
import { OUTBOX_RELAY_SETTINGS, OutboxRelay, OutboxRepository } from '@bud/outbox';
import type { OutboxRelaySettings } from '@bud/outbox';
import type { Clock } from '@bud/ports';
import { CLOCK, SECRET_BOX } from '@bud/ports';
import { ComponentController } from './controllers/component.controller';
import { DeploymentController } from './controllers/deployment.controller';
import { DAPR_APP_API_TOKEN, JobEventDeliveryGuard } from './controllers/job-event-delivery.guard';
import { JobEventsController } from './controllers/job-events.controller';
import { TemplateController } from './controllers/template.controller';
import { ComponentRepository } from './repositories/component.repository';
import { DeploymentRepository } from './repositories/deployment.repository';
import { TemplateRepository } from './repositories/template.repository';
import { BudclusterClient } from './services/deployments/budcluster.client';
import { CrashPoints } from './services/crash-points';
import { ComponentService } from './services/registry/component.service';
import { ChangePreviewService } from './services/deployments/change-preview.service';
import { ComponentJobActions } from './services/deployments/component-job-actions.service';
import { DeploymentChangePlanner } from './services/deployments/deployment-change-planner.service';
import { DeploymentEventStream } from './services/deployments/deployment-event-stream.service';
import { DeploymentEventsHub } from './services/deployments/deployment-events-hub.service';
import { DeploymentPlanner } from './services/deployments/deployment-planner.service';
import { DeploymentUpdater } from './services/deployments/deployment-updater.service';
import { DeploymentWriter } from './services/deployments/deployment-writer.service';
import { DesiredJobs } from './services/deployments/desired-jobs.service';
import { DeploymentService } from './services/deployments/deployment.service';
import { JobEventsService } from './services/deployments/job-events.service';
import { BudgetEventsService } from './services/deployments/budget-events.service';
import { Reconciler } from './services/deployments/reconciler.service';
import { TemplateSyncService } from './services/templates/template-sync.service';
import { TemplateService } from './services/templates/template.service';
import type { ReconcilerSettings, ServiceTokenSigner } from './services/tokens';
import {
  EVENT_PUBLISHER,
  METRICS_REGISTRY,
  RECONCILER_SETTINGS,
  SERVICE_INVOKER,
  SERVICE_TOKEN_SIGNER,
  TEMPLATES_DIR,
} from './services/tokens';

export const budusecasesControllers = [
  ComponentController,
  TemplateController,
  DeploymentController,
  JobEventsController,
  HealthController,
];

export interface BudusecasesRuntime {
  /** The database's URL and pool; the module connects and migrates it (TypeOrmModule). */
  database: DatabaseSettings;
  publisher: EventPublisher;
  invoker: ServiceInvoker;
  verifier: TokenVerifier;
  /** Signs budusecases' calls to budcluster and verifies directly delivered job events. */
  serviceTokens: ServiceTokens;
  /** Dapr's app API token: the sidecar's job event deliveries carry it; undefined without Dapr. */
  appApiToken?: string;
  serviceTokenSigner: ServiceTokenSigner;
  registry: Registry;
  relay: OutboxRelaySettings;
  reconciler: ReconcilerSettings;
  templatesDir: string;
  crashPoints: CrashPoints;
  secretBox: SecretBox;
  clock: Clock;
}

@Module({})
export class BudusecasesModule {
  static forRoot(runtime: BudusecasesRuntime): DynamicModule {
    return {
      module: BudusecasesModule,
      imports: [databaseModule(runtime.database)],
      controllers: budusecasesControllers,
      providers: [
        { provide: EVENT_PUBLISHER, useValue: runtime.publisher },
        { provide: SERVICE_INVOKER, useValue: runtime.invoker },
        { provide: SERVICE_TOKEN_SIGNER, useValue: runtime.serviceTokenSigner },
        { provide: TokenVerifier, useValue: runtime.verifier },
        { provide: ServiceTokens, useValue: runtime.serviceTokens },
        { provide: DAPR_APP_API_TOKEN, useValue: runtime.appApiToken },
        { provide: METRICS_REGISTRY, useValue: runtime.registry },
        { provide: OUTBOX_RELAY_SETTINGS, useValue: runtime.relay },
        { provide: RECONCILER_SETTINGS, useValue: runtime.reconciler },
        { provide: TEMPLATES_DIR, useValue: runtime.templatesDir },
        { provide: CrashPoints, useValue: runtime.crashPoints },
        { provide: SECRET_BOX, useValue: runtime.secretBox },
        { provide: CLOCK, useValue: runtime.clock },
        ...httpGuards(JobEventDeliveryGuard),
        OutboxRepository,
        OutboxRelay,
        ComponentRepository,
        TemplateRepository,
        DeploymentRepository,
        ComponentService,
        TemplateService,
        TemplateSyncService,
        BudclusterClient,
        DeploymentEventsHub,
        DeploymentEventStream,
        DeploymentPlanner,
        DeploymentChangePlanner,
        ChangePreviewService,
        DeploymentUpdater,
        DeploymentWriter,
        DeploymentService,
        DesiredJobs,
        ComponentJobActions,
        Reconciler,
        JobEventsService,
        BudgetEventsService,
      ],
    };
  }
}
