import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { TemplateSyncResult } from '@bud/contracts';
import type { Tx } from '@bud/database';
import { Logger } from '@bud/logging';
import type { Clock } from '@bud/ports';
import { CLOCK } from '@bud/ports';
import type { Registry } from '../../domain/resolver';
import { ComponentRepository } from '../../repositories/component.repository';
import type { ChangeNote } from '../../repositories/template-rows';
import { TemplateRepository } from '../../repositories/template.repository';
import { ComponentService } from '../registry/component.service';
import type { ComponentFile, SystemTemplateFiles } from './template-files';
import { describeProblems, loadComponentFiles, loadSystemTemplateFiles, templatesRoot } from './template-files';
import { loadModelFiles } from './model-files';
import { TEMPLATES_DIR } from '../tokens';

export interface SyncOptions {
  /** Throw (naming file and path) when any file is invalid, applying nothing: start-up aborts. */
  failOnInvalid?: boolean;
  /** Compute the result without keeping any change. */
  checkOnly?: boolean;
}

/** Rolls a check-only sync back after it ran exactly as a real one would. */
class DryRunDone extends Error {}

const emptyResult = (): TemplateSyncResult => ({ created: [], updated: [], unchanged: [], conflicts: [], deactivated: [], errors: [] });

/** Syncs the registry seed and the system templates from TEMPLATES_DIR into the database (docs/design.md#system-and-user-templates). */
@Injectable()
export class TemplateSyncService {
  private readonly logger = new Logger('template-sync');

  constructor(
    private readonly components: ComponentRepository,
    private readonly componentService: ComponentService,
    private readonly templates: TemplateRepository,
    @Inject(TEMPLATES_DIR) private readonly templatesDir: string,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async syncAll(options: SyncOptions = {}): Promise<TemplateSyncResult> {
    const root = templatesRoot(this.templatesDir);
    const result = emptyResult();
    const seed = loadComponentFiles(root);
    result.errors.push(...seed.errors, ...loadModelFiles(root).errors);
    try {
      await this.templates.transaction(async (tx) => {
        await this.templates.lockSync(tx);
        const registry = await this.seedComponents(tx, seed.components);
        const files = loadSystemTemplateFiles(root, registry);
        result.errors.push(...files.errors);
        if (options.failOnInvalid && result.errors.length > 0) {
          throw new Error(`invalid template files in ${root}:\n${describeProblems(result.errors)}`);
        }
        await this.syncTemplates(tx, files, result);
        if (options.checkOnly) throw new DryRunDone();
      });
    } catch (error) {
      if (!(error instanceof DryRunDone)) throw error;
    }
    if (!options.checkOnly) this.componentService.invalidateRegistry();
    for (const ids of [result.created, result.updated, result.unchanged, result.deactivated]) ids.sort();
    this.logger.info('template sync', {
      check_only: options.checkOnly ?? false,
      created: result.created.length,
      updated: result.updated.length,
      unchanged: result.unchanged.length,
      conflicts: result.conflicts.length,
      deactivated: result.deactivated.length,
      errors: result.errors.length,
    });
    return result;
  }

  /** New component → insert; version changed → update (a soft delete stays); otherwise kept. Returns the active registry. */
  private async seedComponents(tx: Tx, files: ComponentFile[]): Promise<Registry> {
    const existing = new Map((await this.components.listAll(tx)).map((c) => [c.id, c]));
    const now = new Date(this.clock.now());
    for (const { definition } of files) {
      const row = existing.get(definition.id);
      if (!row) await this.components.insert(definition, now, tx);
      else if (row.version !== definition.version) await this.components.update(row.id, row.revision, definition, now, false, tx);
    }
    return new Map((await this.components.listActive(tx)).map((c) => [c.id, c.definition]));
  }

  private async syncTemplates(tx: Tx, files: SystemTemplateFiles, result: TemplateSyncResult): Promise<void> {
    const rows = new Map((await this.templates.listSystem(tx)).map((t) => [t.id, t]));
    const heldByUsers = await this.templates.userTemplateIds(
      files.templates.map((f) => f.document.id).filter((id) => !rows.has(id)),
      tx,
    );
    const note = (change: ChangeNote['change']): ChangeNote => ({ author: null, change, at: new Date(this.clock.now()) });
    for (const file of files.templates) {
      const { document, sourceFile, contentHash } = file;
      const row = rows.get(document.id);
      const changes = { document, contentHash, sourceFile, isActive: true };
      if (!row && heldByUsers.has(document.id)) {
        result.conflicts.push({
          id: document.id,
          source_file: sourceFile,
          message: `user templates already use the id '${document.id}'; give the system template another id`,
        });
      } else if (!row) {
        const record = {
          rowId: randomUUID(),
          id: document.id,
          tenantId: null,
          isSystem: true,
          forkedFrom: null,
          createdBy: null,
          ...changes,
        };
        await this.templates.insert(record, note('created'), tx);
        result.created.push(document.id);
      } else if (row.version !== document.version) {
        await this.templates.update(row.rowId, row.revision, changes, note('synced'), tx);
        result.updated.push(document.id);
      } else if (row.contentHash !== contentHash) {
        result.conflicts.push({
          id: document.id,
          source_file: sourceFile,
          message: `version ${document.version} is already synced with different content; bump the version to apply the change`,
        });
      } else if (!row.isActive) {
        await this.templates.update(row.rowId, row.revision, changes, note('reactivated'), tx);
        result.updated.push(document.id);
      } else {
        result.unchanged.push(document.id);
      }
    }
    for (const row of rows.values()) {
      if (row.isActive && !files.presentIds.has(row.id)) {
        await this.templates.deactivate(row.rowId, note('deactivated'), tx);
        result.deactivated.push(row.id);
      }
    }
  }
}
