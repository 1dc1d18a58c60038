import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { ComponentDefinition, TemplateDocument } from '@bud/contracts';
import { componentDefinitionSchema } from '@bud/contracts';
import type { ErrorDetail } from '@bud/errors';
import { zodIssuesToDetails } from '@bud/errors';
import type { Registry } from '../../domain/resolver';
import { SafeYamlError, parseSafeYaml } from '@bud/safe-yaml';
import { componentProblems, contentHash, templateProblems } from '../../domain/document-checks';
import { loadModelFiles } from './model-files';

/** One problem in one file; `source_file` is relative to the templates directory. */
export interface FileProblem {
  source_file: string;
  path: string;
  message: string;
}

export interface ComponentFile {
  sourceFile: string;
  definition: ComponentDefinition;
}

export interface SystemTemplateFile {
  sourceFile: string;
  document: TemplateDocument;
  contentHash: string;
}

export interface SystemTemplateFiles {
  templates: SystemTemplateFile[];
  /** Ids named by a file that exists, valid or not: an invalid file must not deactivate its template. */
  presentIds: Set<string>;
  errors: FileProblem[];
}

/** `TEMPLATES_DIR` is relative to the working directory unless absolute. */
export const templatesRoot = (dir: string): string => resolve(process.cwd(), dir);

const yamlNames = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => e.name)
    .sort();
const idOf = (file: string): string => basename(file).replace(/\.ya?ml$/, '');
const problemsOf = (sourceFile: string, details: ErrorDetail[]): FileProblem[] => details.map((d) => ({ source_file: sourceFile, ...d }));

function readYaml(root: string, sourceFile: string): { value: unknown } | { error: FileProblem } {
  try {
    return { value: parseSafeYaml(readFileSync(join(root, sourceFile), 'utf8'), sourceFile) };
  } catch (error) {
    if (error instanceof SafeYamlError) {
      return {
        error: {
          source_file: sourceFile,
          path: error.path ?? '(root)',
          message: `line ${error.line}, column ${error.column}: ${error.reason}`,
        },
      };
    }
    return { error: { source_file: sourceFile, path: '(root)', message: (error as Error).message } };
  }
}

function missingDir(root: string, name: string): FileProblem[] {
  return existsSync(join(root, name)) ? [] : [{ source_file: name, path: '(root)', message: `directory not found under ${root}` }];
}

/** `components/<id>.yaml`: the registry seed, each file checked in full and named after its id. */
export function loadComponentFiles(root: string): { components: ComponentFile[]; errors: FileProblem[] } {
  const errors = missingDir(root, 'components');
  const components: ComponentFile[] = [];
  if (errors.length > 0) return { components, errors };
  for (const name of yamlNames(join(root, 'components'))) {
    const sourceFile = `components/${name}`;
    const read = readYaml(root, sourceFile);
    if ('error' in read) {
      errors.push(read.error);
      continue;
    }
    const parsed = componentDefinitionSchema.safeParse(read.value);
    if (!parsed.success) {
      errors.push(...problemsOf(sourceFile, zodIssuesToDetails(parsed.error)));
      continue;
    }
    const problems = componentProblems(parsed.data);
    if (parsed.data.id !== idOf(name)) problems.push({ path: 'id', message: `must match the file name '${idOf(name)}'` });
    if (components.some((c) => c.definition.id === parsed.data.id))
      problems.push({ path: 'id', message: `duplicates component '${parsed.data.id}'` });
    if (problems.length > 0) errors.push(...problemsOf(sourceFile, problems));
    else components.push({ sourceFile, definition: parsed.data });
  }
  return { components, errors };
}

/** `system/<category>/<id>.yaml`, each validated in full against `registry`. */
export function loadSystemTemplateFiles(root: string, registry: Registry): SystemTemplateFiles {
  const result: SystemTemplateFiles = { templates: [], presentIds: new Set(), errors: missingDir(root, 'system') };
  if (result.errors.length > 0) return result;
  for (const entry of readdirSync(join(root, 'system'), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory()) {
      if (/\.ya?ml$/.test(entry.name))
        result.errors.push({ source_file: `system/${entry.name}`, path: '(root)', message: 'must sit in system/<category>/' });
      continue;
    }
    for (const name of yamlNames(join(root, 'system', entry.name))) {
      const sourceFile = `system/${entry.name}/${name}`;
      result.presentIds.add(idOf(name));
      const read = readYaml(root, sourceFile);
      if ('error' in read) {
        result.errors.push(read.error);
        continue;
      }
      const checked = templateProblems(read.value, registry);
      if (!checked.ok) {
        result.errors.push(...problemsOf(sourceFile, checked.errors));
        continue;
      }
      const document = checked.value;
      const problems: ErrorDetail[] = [];
      if (document.id !== idOf(name)) problems.push({ path: 'id', message: `must match the file name '${idOf(name)}'` });
      if (document.category !== entry.name) problems.push({ path: 'category', message: `must match the directory '${entry.name}'` });
      if (result.templates.some((t) => t.document.id === document.id))
        problems.push({ path: 'id', message: `duplicates template '${document.id}'` });
      if (problems.length > 0) result.errors.push(...problemsOf(sourceFile, problems));
      else result.templates.push({ sourceFile, document, contentHash: contentHash(document) });
    }
  }
  return result;
}

/** `seed --check`: every file validated against the registry the seed files define, no database. */
export function checkTemplateFiles(dir: string): { components: ComponentFile[]; templates: SystemTemplateFile[]; errors: FileProblem[] } {
  const root = templatesRoot(dir);
  const seeded = loadComponentFiles(root);
  const registry: Registry = new Map(seeded.components.map((c) => [c.definition.id, c.definition]));
  const system = loadSystemTemplateFiles(root, registry);
  const models = loadModelFiles(root);
  return { components: seeded.components, templates: system.templates, errors: [...seeded.errors, ...system.errors, ...models.errors] };
}

export const describeProblems = (errors: readonly FileProblem[]): string =>
  errors.map((e) => `${e.source_file}: ${e.path}: ${e.message}`).join('\n');
