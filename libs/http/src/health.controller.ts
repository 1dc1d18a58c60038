import { Controller, Get, Header, Inject } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Registry } from 'prom-client';
import { AppError } from '@bud/errors';
import { Public } from './auth.guard';
import { Operation } from './openapi';

export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

@Controller()
@Public()
export class HealthController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
  ) {}

  @Get('healthz')
  @Operation({ summary: 'Liveness', public: true })
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @Operation({ summary: 'Readiness: database reachable and migrations applied', public: true, errors: [503] })
  async ready(): Promise<{ status: 'ready' }> {
    try {
      await this.db.query('SELECT 1');
      if (await this.db.showMigrations()) throw new AppError('service_unavailable', 'database migrations are pending');
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError('service_unavailable', `the database is unavailable: ${(error as Error).message}`);
    }
    return { status: 'ready' };
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4')
  @Operation({ summary: 'Prometheus metrics', public: true })
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
