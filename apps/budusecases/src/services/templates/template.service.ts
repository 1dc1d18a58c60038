import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@bud/auth';
import { hasScope } from '@bud/auth';
import type {
  ForkTemplateRequest,
  Page,
  PaginationQuery,
  TemplateDocument,
  TemplateListQuery,
  TemplateResponse,
  TemplateVersionResponse,
  UpdateTemplateRequest,
} from '@bud/contracts';
import { AppError } from '@bud/errors';
import type { Clock } from '@bud/ports';
import { CLOCK } from '@bud/ports';
import type { JsonSchema } from '../../domain/parameter-schema';
import { parametersJsonSchema } from '../../domain/parameter-schema';
import type { TemplateRecord } from '../../entities/records';
import type { ChangeNote } from '../../repositories/template-rows';
import { TemplateRepository } from '../../repositories/template.repository';
import { ComponentService } from '../registry/component.service';
import { contentHash, templateProblems } from '../../domain/document-checks';
import { toTemplateResponse, toTemplateVersionResponse } from './template.mapper';

const SLUG_MAX = 63;
const NAME_MAX = 200;
const FORK_ID_ATTEMPTS = 50;

const isUniqueViolation = (error: unknown): boolean => (error as { code?: string }).code === '23505';

/** Fork ids: `<id>-copy`, `<id>-copy-2`, ... each cut to fit a slug. */
function forkIdCandidates(id: string): string[] {
  return Array.from({ length: FORK_ID_ATTEMPTS }, (_, i) => {
    const suffix = i === 0 ? '-copy' : `-copy-${i + 1}`;
    return `${id.slice(0, SLUG_MAX - suffix.length).replace(/-+$/, '')}${suffix}`;
  });
}

@Injectable()
export class TemplateService {
  constructor(
    private readonly templates: TemplateRepository,
    private readonly components: ComponentService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** System templates and the caller's tenant's, ordered by id. */
  async list(principal: Principal, query: TemplateListQuery): Promise<Page<TemplateResponse>> {
    const filter = { category: query.category, tag: query.tag, isSystem: query.is_system, q: query.q };
    const { items, total } = await this.templates.listVisible(principal.tenantId, filter, query.page, query.page_size);
    return { items: items.map(toTemplateResponse), total, page: query.page, page_size: query.page_size };
  }

  async get(principal: Principal, id: string): Promise<TemplateResponse> {
    return toTemplateResponse(await this.findVisible(principal, id));
  }

  /** An active system template or one of the caller's tenant; anything else is 404, never 403. */
  async findVisible(principal: Principal, id: string): Promise<TemplateRecord> {
    const template = await this.templates.findVisible(principal.tenantId, id);
    if (!template) throw AppError.notFound('template', id);
    return template;
  }

  async parametersSchema(principal: Principal, id: string): Promise<JsonSchema> {
    return parametersJsonSchema((await this.findVisible(principal, id)).document);
  }

  /** Every saved revision, newest first. */
  async versions(principal: Principal, id: string, query: PaginationQuery): Promise<Page<TemplateVersionResponse>> {
    const template = await this.findVisible(principal, id);
    const { items, total } = await this.templates.versions(template.rowId, query.page, query.page_size);
    return { items: items.map(toTemplateVersionResponse), total, page: query.page, page_size: query.page_size };
  }

  async create(principal: Principal, body: TemplateDocument): Promise<TemplateResponse> {
    this.requireAuthor(principal);
    const document = await this.validate(body);
    if (await this.templates.idTaken(principal.tenantId, document.id)) throw this.idConflict(document.id);
    return this.insertUserTemplate(principal, document, null, 'created');
  }

  async fork(principal: Principal, id: string, body: ForkTemplateRequest): Promise<TemplateResponse> {
    const source = await this.findVisible(principal, id);
    this.requireAuthor(principal);
    let newId = body.id;
    if (newId === undefined) {
      const candidates = forkIdCandidates(source.id);
      const taken = await this.templates.takenIds(principal.tenantId, candidates);
      newId = candidates.find((c) => !taken.has(c));
      if (newId === undefined) throw AppError.conflict(`no free id for a copy of '${id}'; pass one as id`);
    } else if (await this.templates.idTaken(principal.tenantId, newId)) {
      throw this.idConflict(newId);
    }
    const name = body.name ?? `${source.document.name} (copy)`.slice(0, NAME_MAX);
    const document = await this.validate({ ...source.document, id: newId, name });
    return this.insertUserTemplate(principal, document, source.id, 'forked');
  }

  /** Full replacement; `revision`, when given, must be the current one. */
  async update(principal: Principal, id: string, body: UpdateTemplateRequest): Promise<TemplateResponse> {
    const current = await this.editable(principal, id);
    const { revision, ...fields } = body;
    if (fields.id !== undefined && fields.id !== id) {
      throw AppError.validation('the template id cannot change', [
        { path: 'id', message: `must be '${id}', the id in the path; fork to copy under a new id` },
      ]);
    }
    if (revision !== undefined && revision !== current.revision) throw this.stale(id, current.revision);
    const document = await this.validate({ ...fields, id });
    const note: ChangeNote = { author: principal.userId, change: 'updated', at: new Date(this.clock.now()) };
    const updated = await this.templates.update(current.rowId, current.revision, { document, contentHash: contentHash(document) }, note);
    if (!updated) throw this.stale(id);
    return toTemplateResponse(updated);
  }

  /** Hard delete: the row and its versions go, and the id is free again. Deployments keep their own copy of the document. */
  async delete(principal: Principal, id: string): Promise<void> {
    const current = await this.editable(principal, id);
    if (!(await this.templates.delete(current.rowId, current.revision))) throw this.stale(id);
  }

  private async insertUserTemplate(
    principal: Principal,
    document: TemplateDocument,
    forkedFrom: string | null,
    change: 'created' | 'forked',
  ): Promise<TemplateResponse> {
    try {
      const created = await this.templates.insert(
        {
          rowId: randomUUID(),
          id: document.id,
          tenantId: principal.tenantId,
          isSystem: false,
          document,
          sourceFile: null,
          contentHash: contentHash(document),
          forkedFrom,
          createdBy: principal.userId,
          isActive: true,
        },
        { author: principal.userId, change, at: new Date(this.clock.now()) },
      );
      return toTemplateResponse(created);
    } catch (error) {
      if (isUniqueViolation(error)) throw this.idConflict(document.id);
      throw error;
    }
  }

  /** Visible (404), a user template (409 read_only), and the caller's to change (403), in that order. */
  private async editable(principal: Principal, id: string): Promise<TemplateRecord> {
    const template = await this.findVisible(principal, id);
    if (template.isSystem) throw new AppError('read_only', `template '${id}' is a system template and read-only; fork it to change a copy`);
    if (template.createdBy !== principal.userId && !hasScope(principal, 'template:manage')) {
      throw new AppError('forbidden', `only the template's owner or a caller with 'template:manage' may change it`);
    }
    return template;
  }

  private requireAuthor(principal: Principal): void {
    if (!hasScope(principal, 'template:manage') && !hasScope(principal, 'usecase:manage')) {
      throw new AppError('forbidden', `saving a template needs the scope 'template:manage' or 'usecase:manage'`);
    }
  }

  private async validate(document: unknown): Promise<TemplateDocument> {
    const result = templateProblems(document, await this.components.activeRegistry());
    if (result.ok) return result.value;
    const first = result.errors[0];
    throw AppError.validation(first ? `the template is invalid: ${first.path} ${first.message}` : 'the template is invalid', result.errors);
  }

  private idConflict(id: string): AppError {
    return AppError.conflict(`a template with id '${id}' already exists (system or in this tenant)`);
  }

  private stale(id: string, current?: number): AppError {
    return AppError.conflict(
      `template '${id}' changed meanwhile${current === undefined ? '' : ` (revision is ${current})`}; reload and retry`,
    );
  }
}
