import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelCatalogEntry } from '@bud/contracts';
import { modelCatalogEntrySchema } from '@bud/contracts';
import { zodIssuesToDetails } from '@bud/errors';
import { SafeYamlError, parseSafeYaml } from '@bud/safe-yaml';
import type { ModelCatalog } from '../../domain/resolver';
import { modelCatalog } from '../../domain/resolver';
import type { FileProblem } from './template-files';

/** More files than this is not a catalog of popular models but a mistake: refused whole. */
export const MAX_MODEL_FILES = 500;

/** `org/Name` → `org--name.yaml`: one file per model, named after its id. */
export const modelFileName = (id: string): string => `${id.toLowerCase().replace('/', '--')}.yaml`;

/**
 * `models/*.yaml` under the templates root (docs/templates.md#model-catalog), each checked in full; no
 * `models/` directory is an empty catalog (contract checks then warn that models are not in it).
 */
export function loadModelFiles(root: string): { models: ModelCatalogEntry[]; errors: FileProblem[] } {
  const dir = join(root, 'models');
  const models: ModelCatalogEntry[] = [];
  const errors: FileProblem[] = [];
  if (!existsSync(dir)) return { models, errors };
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => e.name)
    .sort();
  if (names.length > MAX_MODEL_FILES)
    return { models, errors: [{ source_file: 'models', path: '(root)', message: `holds ${names.length} files; at most ${MAX_MODEL_FILES}` }] };
  for (const name of names) {
    const sourceFile = `models/${name}`;
    let value: unknown;
    try {
      value = parseSafeYaml(readFileSync(join(dir, name), 'utf8'), sourceFile);
    } catch (error) {
      if (!(error instanceof SafeYamlError)) throw error;
      errors.push({ source_file: sourceFile, path: error.path ?? '(root)', message: `line ${error.line}, column ${error.column}: ${error.reason}` });
      continue;
    }
    const parsed = modelCatalogEntrySchema.safeParse(value);
    if (!parsed.success) {
      errors.push(...zodIssuesToDetails(parsed.error).map((d) => ({ source_file: sourceFile, ...d })));
      continue;
    }
    const model = parsed.data;
    if (name !== modelFileName(model.id) && name !== modelFileName(model.id).replace(/\.yaml$/, '.yml'))
      errors.push({ source_file: sourceFile, path: 'id', message: `must match the file name (${modelFileName(model.id)})` });
    else if (models.some((m) => m.id.toLowerCase() === model.id.toLowerCase()))
      errors.push({ source_file: sourceFile, path: 'id', message: `duplicates model '${model.id}'` });
    else models.push(model);
  }
  return { models, errors };
}

/** The catalog the resolver checks plans with; an invalid file is left out here (start-up refuses it first). */
export function loadModelCatalog(root: string): ModelCatalog {
  return modelCatalog(loadModelFiles(root).models);
}
