import { z } from 'zod';

/** How many files a component (and so a job) may carry. */
export const MAX_FILES = 20;
/** UTF-8 bytes of one file's content, and of all of a component's files together. */
export const MAX_FILE_BYTES = 64 * 1024;
export const MAX_FILES_TOTAL_BYTES = 256 * 1024;
export const MAX_FILE_PATH_LENGTH = 255;
/** A file is mounted read-only: the owner may read (and execute), group and others at most read and execute. */
export const DEFAULT_FILE_MODE = '0444';

/** Mounting over these would shadow what the container or the kubelet puts there. */
export const FORBIDDEN_FILE_ROOTS = ['/proc', '/sys', '/dev', '/etc', '/var/run', '/run'] as const;
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;
/** A file name's limit on Linux file systems. */
const MAX_FILE_NAME_BYTES = 255;
/** C0 and C1 control characters, and the bidirectional embeddings, overrides and isolates that make a path read as another. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

export function utf8Bytes(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** Why `path` cannot be a file's mount path, or undefined when it can. */
export function filePathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'must be an absolute path';
  if (path === '/') return 'must not mount over /';
  if (path.endsWith('/')) return 'must not end with /';
  const segments = path.slice(1).split('/');
  if (segments.some((s) => s === '')) return 'must not contain //';
  if (segments.some((s) => s === '.' || s === '..')) return 'must be normalised (no . or .. segments)';
  if (UNPRINTABLE.test(path)) return 'must be printable (no control characters or bidirectional overrides)';
  if (segments.some((s) => utf8Bytes(s) > MAX_FILE_NAME_BYTES)) return `must have each name at most ${MAX_FILE_NAME_BYTES} bytes of UTF-8`;
  const root = FORBIDDEN_FILE_ROOTS.find((r) => path === r || path.startsWith(`${r}/`));
  if (root) return `must not be at or under ${root}`;
  const base = segments[segments.length - 1] ?? '';
  if (base.length > 253 || !CONFIG_MAP_KEY.test(base)) return 'must end in a file name of letters, digits, -, _ and . (a ConfigMap key)';
  return undefined;
}

export const filePathSchema = z
  .string()
  .min(1)
  .max(MAX_FILE_PATH_LENGTH)
  .superRefine((p, ctx) => {
    const problem = filePathProblem(p);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const fileModeSchema = z
  .string()
  .regex(/^0[45][0145][0145]$/, 'must be an octal mode from 0400 to 0555 without write bits, like 0444')
  .default(DEFAULT_FILE_MODE);

export const fileContentSchema = z
  .string()
  .max(MAX_FILE_BYTES)
  .refine((c) => utf8Bytes(c) <= MAX_FILE_BYTES, `must be at most ${MAX_FILE_BYTES} bytes`);

/** A file of a component or a template's component entry; content may hold `{{ }}` expressions. */
export const componentFileSchema = z.object({ path: filePathSchema, content: fileContentSchema, mode: fileModeSchema }).strict();
export type ComponentFile = z.infer<typeof componentFileSchema>;
export type ComponentFileInput = z.input<typeof componentFileSchema>;

/** Duplicate and nested paths and the total content, over a list of files (the per-file rules are in the item schema). */
export function checkFileList(files: ReadonlyArray<{ path: string; content: string }>, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  let total = 0;
  files.forEach((f, i) => {
    if (seen.has(f.path)) ctx.addIssue({ code: 'custom', path: [i, 'path'], message: `repeats '${f.path}'` });
    seen.add(f.path);
    // A file cannot also be a directory of another file.
    const parent = files.find((other) => f.path.startsWith(`${other.path}/`));
    if (parent) ctx.addIssue({ code: 'custom', path: [i, 'path'], message: `is under the file '${parent.path}'` });
    const before = total;
    total += utf8Bytes(f.content);
    if (before <= MAX_FILES_TOTAL_BYTES && total > MAX_FILES_TOTAL_BYTES)
      ctx.addIssue({ code: 'custom', path: [i, 'content'], message: `brings the files' content over ${MAX_FILES_TOTAL_BYTES} bytes` });
  });
}

export const componentFilesSchema = z.array(componentFileSchema).max(MAX_FILES).superRefine(checkFileList);

/** A file of a container job: content already rendered; `secret` files go to a Secret, the rest to a ConfigMap. */
export const jobFileSchema = z
  .object({ path: filePathSchema, content: fileContentSchema, mode: fileModeSchema, secret: z.boolean().optional() })
  .strict();
export type JobFile = z.infer<typeof jobFileSchema>;
export const jobFilesSchema = z.array(jobFileSchema).max(MAX_FILES).superRefine(checkFileList);

/** Template files replace the component's file of the same path and add the rest, in order. */
export function mergeFiles<F extends { path: string }>(base: readonly F[], over: readonly F[]): F[] {
  const byPath = new Map(over.map((f) => [f.path, f]));
  const merged = base.map((f) => byPath.get(f.path) ?? f);
  const basePaths = new Set(base.map((f) => f.path));
  return [...merged, ...over.filter((f) => !basePaths.has(f.path))];
}
