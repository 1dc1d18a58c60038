import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@bud/auth';
import { requireScope } from '@bud/auth';
import type { ComponentDefinition, ComponentListQuery, ComponentResponse, ComponentSearchQuery, Page } from '@bud/contracts';
import { AppError } from '@bud/errors';
import type { Clock } from '@bud/ports';
import { CLOCK } from '@bud/ports';
import { componentProblems, templateProblems } from '../../domain/document-checks';
import type { Registry } from '../../domain/resolver';
import type { ComponentRecord } from '../../entities/records';
import { ComponentRepository } from '../../repositories/component.repository';
import { TemplateRepository } from '../../repositories/template.repository';
import { toComponentResponse } from './component.mapper';

/**
 * Every template save and deployment plan reads the registry; it changes rarely. Writes through this
 * process invalidate at once; other replicas see a change within this long.
 */
const REGISTRY_TTL_MS = 5000;
const SEARCH_LIMIT = 100;

@Injectable()
export class ComponentService {
  private cached: { registry: Promise<Registry>; until: number } | null = null;

  constructor(
    private readonly components: ComponentRepository,
    private readonly templates: TemplateRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Active components by id, as templates and plans resolve against them. */
  activeRegistry(): Promise<Registry> {
    if (this.cached && this.cached.until > this.clock.now()) return this.cached.registry;
    const registry = this.components.listActive().then((rows): Registry => new Map(rows.map((r) => [r.id, r.definition])));
    this.cached = { registry, until: this.clock.now() + REGISTRY_TTL_MS };
    registry.catch(() => {
      this.cached = null;
    });
    return registry;
  }

  invalidateRegistry(): void {
    this.cached = null;
  }

  async list(query: ComponentListQuery): Promise<Page<ComponentResponse>> {
    const filter = { category: query.category, deploymentType: query.deployment_type, tag: query.tag, q: query.q };
    const { items, total } = await this.components.list(filter, query.page, query.page_size);
    return { items: items.map(toComponentResponse), total, page: query.page, page_size: query.page_size };
  }

  /** Up to 100 active matches by id, in the list shape. */
  async search(query: ComponentSearchQuery): Promise<Page<ComponentResponse>> {
    const { items, total } = await this.components.search(query.category, query.tags ?? [], SEARCH_LIMIT);
    return { items: items.map(toComponentResponse), total, page: 1, page_size: SEARCH_LIMIT };
  }

  /** Soft-deleted components stay readable (with `is_active: false`): deployments may still name them. */
  async get(id: string): Promise<ComponentResponse> {
    return toComponentResponse(await this.existing(id));
  }

  async create(principal: Principal, definition: ComponentDefinition): Promise<ComponentResponse> {
    requireScope(principal, 'platform:admin');
    this.check(definition);
    const created = await this.components.insert(definition, new Date(this.clock.now()));
    if (!created)
      throw AppError.conflict(`component '${definition.id}' already exists; PUT /components/${definition.id} changes (or revives) it`);
    this.invalidateRegistry();
    return toComponentResponse(created);
  }

  /** Replaces the definition; a soft-deleted component becomes active again. */
  async update(principal: Principal, id: string, definition: ComponentDefinition): Promise<ComponentResponse> {
    requireScope(principal, 'platform:admin');
    if (definition.id !== id)
      throw AppError.validation('the component id cannot change', [{ path: 'id', message: `must be '${id}', the id in the path` }]);
    this.check(definition);
    const current = await this.existing(id);
    await this.keepTemplatesValid(id, definition);
    const updated = await this.components.update(id, current.revision, definition, new Date(this.clock.now()), true);
    if (!updated) throw AppError.conflict(`component '${id}' changed meanwhile; retry`);
    this.invalidateRegistry();
    return toComponentResponse(updated);
  }

  /** Soft delete (`is_active=false`); refused while an active template uses the component. */
  async delete(principal: Principal, id: string): Promise<void> {
    requireScope(principal, 'platform:admin');
    const current = await this.existing(id);
    if (!current.isActive) return;
    await this.keepTemplatesValid(id, null);
    if (!(await this.components.deactivate(id, current.revision, new Date(this.clock.now()))))
      throw AppError.conflict(`component '${id}' changed meanwhile; retry`);
    this.invalidateRegistry();
  }

  private async existing(id: string): Promise<ComponentRecord> {
    const component = await this.components.findById(id);
    if (!component) throw AppError.notFound('component', id);
    return component;
  }

  private check(definition: ComponentDefinition): void {
    const problems = componentProblems(definition);
    const first = problems[0];
    if (first) throw AppError.validation(`the component is invalid: ${first.path} ${first.message}`, problems);
  }

  /** A registry change must not turn a saved template invalid: the next start-up would refuse it. */
  private async keepTemplatesValid(id: string, next: ComponentDefinition | null): Promise<void> {
    const users = await this.templates.listActiveUsing(id);
    if (users.length === 0) return;
    const registry = new Map(await this.activeRegistry());
    if (next) registry.set(id, next);
    else registry.delete(id);
    const broken = users
      .filter((t) => !templateProblems(t.document, registry).ok)
      .map((t) => (t.isSystem ? t.id : `${t.id} (tenant ${t.tenantId})`));
    if (broken.length > 0) {
      throw AppError.conflict(
        `${next ? 'this change' : 'deleting it'} would make active templates invalid: ${broken.slice(0, 20).join(', ')}`,
      );
    }
  }
}
