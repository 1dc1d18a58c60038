import type { ComponentDefinition, ComponentFile, JobFile, TemplateComponent } from '@bud/contracts';
import { MAX_FILES, MAX_FILES_TOTAL_BYTES, MAX_FILE_BYTES } from '@bud/contracts';
import type { ErrorDetail } from '@bud/errors';
import { formatPath } from '@bud/errors';

// Counted natively, without encoding a copy: a plan counts every file on every resolve.
const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** One file of a component instance: the registry's files with the template entry's merged over them by path. */
export interface FileSource {
  file: ComponentFile;
  /** Where the file is written, for error paths, relative to `components[i]`: `files[j]` or `component_ref.files[j]`. */
  origin: Array<string | number>;
}

/** The registry's files; a component stored before files existed has none. */
export function definitionFiles(definition: ComponentDefinition): readonly ComponentFile[] {
  return (definition as Partial<Pick<ComponentDefinition, 'files'>>).files ?? [];
}

/** The instance's files in job order: the component's (a template file of the same path replaces one), then the template's. */
export function fileSources(spec: TemplateComponent, definition: ComponentDefinition): FileSource[] {
  const own = spec.files ?? [];
  const byPath = new Map(own.map((file, j) => [file.path, { file, origin: ['files', j] as Array<string | number> }]));
  const merged = definitionFiles(definition).map(
    (file, j): FileSource => byPath.get(file.path) ?? { file, origin: ['component_ref', 'files', j] },
  );
  const registryPaths = new Set(definitionFiles(definition).map((f) => f.path));
  own.forEach((file, j) => {
    if (!registryPaths.has(file.path)) merged.push({ file, origin: ['files', j] });
  });
  return merged;
}

/** `files[k].content` of the job: where a file's `{{ }}` land (k is the index in fileSources' order). */
export const fileContentRelative = (k: number): Array<string | number> => ['files', k, 'content'];

/** Rules over the merged list that neither part's schema can see: helm, count and total size. */
export function checkInstanceFiles(spec: TemplateComponent, definition: ComponentDefinition, base: string): ErrorDetail[] {
  if (spec.files === undefined || spec.files.length === 0) return [];
  if (definition.deployment_type === 'helm')
    return [{ path: `${base}.files`, message: `'${definition.id}' is a helm component: files do not apply to a helm component` }];
  const sources = fileSources(spec, definition);
  const errors: ErrorDetail[] = [];
  if (sources.length > MAX_FILES)
    errors.push({
      path: `${base}.files`,
      message: `with the component's ${definitionFiles(definition).length} files makes ${sources.length}; at most ${MAX_FILES}`,
    });
  for (const { file, origin } of sources) {
    const parent = sources.find((other) => file.path.startsWith(`${other.file.path}/`));
    if (parent) errors.push({ path: formatPath([...origin, 'path'], base), message: `is under the file '${parent.file.path}'` });
  }
  const overflow = firstOverflow(sources.map((s) => s.file.content));
  const source = overflow === undefined ? undefined : sources[overflow];
  if (source) errors.push({ path: formatPath([...source.origin, 'content'], base), message: totalMessage });
  return errors;
}

const totalMessage = `brings the component's files over ${MAX_FILES_TOTAL_BYTES} bytes`;

function firstOverflow(contents: readonly string[]): number | undefined {
  let total = 0;
  for (let k = 0; k < contents.length; k++) {
    total += utf8Bytes(contents[k] ?? '');
    if (total > MAX_FILES_TOTAL_BYTES) return k;
  }
  return undefined;
}

/**
 * Size rules again after rendering (an expression can make content longer), naming the file's path. A file still
 * `pending` holds escaped text (`{` as `{{ '{' }}`) and expressions waiting for deploy time: its size is not known
 * yet, so it is not counted here and completeJob checks it once rendered.
 */
export function checkRenderedFiles(
  files: readonly JobFile[],
  sources: readonly FileSource[],
  base: string,
  pending: ReadonlySet<number> = new Set(),
): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  files.forEach((f, k) => {
    const origin = sources[k]?.origin ?? ['files', k];
    if (!pending.has(k) && utf8Bytes(f.content) > MAX_FILE_BYTES)
      errors.push({ path: formatPath([...origin, 'content'], base), message: `renders to more than ${MAX_FILE_BYTES} bytes` });
  });
  const overflow = firstOverflow(files.map((f, k) => (pending.has(k) ? '' : f.content)));
  if (overflow !== undefined)
    errors.push({ path: formatPath([...(sources[overflow]?.origin ?? ['files', overflow]), 'content'], base), message: totalMessage });
  return errors;
}
