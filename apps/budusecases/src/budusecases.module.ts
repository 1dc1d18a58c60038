import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { DataSource } from 'typeorm';
import type { Registry } from 'prom-client';
import { ServiceTokens, TokenVerifier } from '@bud/auth';
import type { SecretBox } from '@bud/auth';
import { AuthGuard, HealthController } from '@bud/http';
import type { EventPublisher, ServiceInvoker } from '@bud/invocation';
import { OUTBOX_RELAY_SETTINGS, OutboxRelay, OutboxRepository } from '@bud/outbox';
import type { OutboxRelaySettings } from '@bud/outbox';
import { ComponentController } from './controllers/component.controller';
import { DeploymentController } from './controllers/deployment.controller';
import { DAPR_APP_API_TOKEN } from './controllers/job-event-delivery.guard';
import { JobEventsController } from './controllers/job-events.controller';
import { TemplateController } from './controllers/template.controller';
import { ComponentRepository } from './repositories/component.repository';
import { DeploymentRepository } from './repositories/deployment.repository';
import { TemplateRepository } from './repositories/template.repository';
import { BudclusterClient } from './services/budcluster.client';
import { CrashPoints } from './services/crash-points';
import { ComponentService } from './services/registry/component.service';
import { DeploymentEventStream } from './services/deployment-event-stream';
import { DeploymentEventsHub } from './services/deployment-events.hub';
import { DeploymentPlanner } from './services/deployment-planner';
import { SECRET_BOX } from './services/deployment-secrets';
import { DeploymentUpdater } from './services/deployment-updater';
import { DeploymentWriter } from './services/deployment-writer';
import { DeploymentService } from './services/deployment.service';
import { JobEventsService } from './services/job-events.service';
import { Reconciler } from './services/reconciler.service';
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
  dataSource: DataSource;
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
}

@Module({})
export class BudusecasesModule {
  static forRoot(runtime: BudusecasesRuntime): DynamicModule {
    return {
      module: BudusecasesModule,
      controllers: budusecasesControllers,
      providers: [
        { provide: DataSource, useValue: runtime.dataSource },
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
        { provide: APP_GUARD, useClass: AuthGuard },
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
        DeploymentUpdater,
        DeploymentWriter,
        DeploymentService,
        Reconciler,
        JobEventsService,
      ],
    };
  }
}
