import { componentDefinitionSchema } from './component';
import { MAX_FILES_TOTAL_BYTES, MAX_FILE_BYTES, componentFilesSchema, jobFilesSchema, mergeFiles } from './files';
import { containerSpecSchema } from './job';
import { templateComponentSchema } from './template';

function issues(result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }): string[] {
  return result.success ? [] : (result.error?.issues ?? []).map((i) => `${i.path.map(String).join('.')}: ${i.message}`);
}
const file = (path: string, extra: Record<string, unknown> = {}) => ({ path, content: 'x', ...extra });

describe('component files', () => {
  it('accepts an absolute, normalised path and fills the read-only mode', () => {
    expect(componentFilesSchema.parse([file('/pipelines/rag/pipeline_wrapper.py')])).toEqual([
      { path: '/pipelines/rag/pipeline_wrapper.py', content: 'x', mode: '0444' },
    ]);
  });

  it.each<[string, unknown[], string]>([
    ['a relative path', [file('pipelines/a.py')], '0.path: must be an absolute path'],
    ['a mount over /', [file('/')], '0.path: must not mount over /'],
    ['a trailing slash', [file('/pipelines/')], '0.path: must not end with /'],
    ['a double slash', [file('/pipelines//a.py')], '0.path: must not contain //'],
    ['a .. segment', [file('/app/../etc/passwd')], '0.path: must be normalised (no . or .. segments)'],
    ['a . segment', [file('/app/./a.py')], '0.path: must be normalised (no . or .. segments)'],
    ['a file under /etc', [file('/etc/passwd')], '0.path: must not be at or under /etc'],
    ['a file at /proc', [file('/proc')], '0.path: must not be at or under /proc'],
    ['a file under /sys', [file('/sys/kernel/x')], '0.path: must not be at or under /sys'],
    ['a file under /dev', [file('/dev/shm/x')], '0.path: must not be at or under /dev'],
    ['a file under /var/run', [file('/var/run/secrets/token')], '0.path: must not be at or under /var/run'],
    ['a file under /run', [file('/run/x.sock')], '0.path: must not be at or under /run'],
    ['a name that is not a ConfigMap key', [file('/app/my file.py')], '0.path: must end in a file name'],
    ['a path over 255 characters', [file(`/${'a'.repeat(255)}`)], '0.path: Too big'],
    ['a control character in a directory', [file('/app/a\u0007b/x.py')], '0.path: must be printable'],
    ['a newline in a directory', [file('/app/a\nb/x.py')], '0.path: must be printable'],
    ['a C1 control character', [file('/app/a\u0085/x.py')], '0.path: must be printable'],
    ['a right-to-left override', [file('/app/\u202egnp.exe/x.py')], '0.path: must be printable'],
    ['a bidirectional isolate', [file('/app/\u2067x/x.py')], '0.path: must be printable'],
    ['a directory name over 255 bytes of UTF-8', [file(`/${'é'.repeat(128)}/x.py`)], '0.path: must have each name at most 255 bytes'],
    ['a duplicate path', [file('/app/a.py'), file('/app/b.py'), file('/app/a.py')], "2.path: repeats '/app/a.py'"],
    ['a file under another file', [file('/app/a.py/x'), file('/app/a.py')], "0.path: is under the file '/app/a.py'"],
    ['a writable mode', [file('/app/a.py', { mode: '0644' })], '0.mode: must be an octal mode'],
    ['a mode that is not octal', [file('/app/a.py', { mode: '444' })], '0.mode: must be an octal mode'],
    ['a content over 64 KiB', [file('/app/a.py', { content: 'x'.repeat(MAX_FILE_BYTES + 1) })], '0.content: Too big'],
    [
      'a content over 64 KiB in UTF-8 bytes',
      [file('/app/a.py', { content: 'é'.repeat(MAX_FILE_BYTES / 2 + 1) })],
      '0.content: must be at most',
    ],
    [
      'a total over 256 KiB',
      Array.from({ length: 5 }, (_, i) => file(`/app/f${i}`, { content: 'x'.repeat(MAX_FILES_TOTAL_BYTES / 4) })),
      "4.content: brings the files' content over",
    ],
    ['21 files', Array.from({ length: 21 }, (_, i) => file(`/app/f${i}`)), ': Too big'],
    ['an unknown field', [file('/app/a.py', { owner: 'root' })], '0: Unrecognized key'],
  ])('refuses %s, naming the path', (_name, files, expected) => {
    const found = issues(componentFilesSchema.safeParse(files));
    expect(found.some((m) => m.startsWith(expected) || m.includes(expected))).toBe(true);
  });

  it('accepts modes 0400 to 0555 without write bits', () => {
    for (const mode of ['0400', '0444', '0500', '0555', '0440'])
      expect(issues(componentFilesSchema.safeParse([file('/a', { mode })]))).toEqual([]);
  });

  it('accepts exactly 256 KiB over several files and 20 files', () => {
    const quarter = Array.from({ length: 4 }, (_, i) => file(`/app/f${i}`, { content: 'x'.repeat(MAX_FILES_TOTAL_BYTES / 4) }));
    expect(issues(componentFilesSchema.safeParse(quarter))).toEqual([]);
    expect(issues(componentFilesSchema.safeParse(Array.from({ length: 20 }, (_, i) => file(`/app/f${i}`))))).toEqual([]);
  });

  it('refuses files on a helm component and names files', () => {
    const helm = {
      id: 'qdrant',
      name: 'Qdrant',
      category: 'vector_db',
      version: '1.0.0',
      deployment_type: 'helm',
      helm_repo: 'charts',
      helm_chart: 'qdrant',
    };
    expect(issues(componentDefinitionSchema.safeParse({ ...helm, files: [file('/a.py')] }))).toEqual([
      'files: does not apply to a helm component',
    ]);
    expect(componentDefinitionSchema.parse(helm).files).toEqual([]);
  });

  it('names the index inside a component, a template entry and a job spec', () => {
    const docker = {
      id: 'orch',
      name: 'O',
      category: 'orchestrator',
      version: '1.0.0',
      deployment_type: 'docker',
      image: 'x/y',
      image_tag: '1',
    };
    expect(issues(componentDefinitionSchema.safeParse({ ...docker, files: [file('/a'), file('/etc/x')] }))).toEqual([
      'files.1.path: must not be at or under /etc',
    ]);
    expect(issues(templateComponentSchema.safeParse({ id: 'o', component_ref: 'orch', files: [file('/a/../b')] }))).toEqual([
      'files.0.path: must be normalised (no . or .. segments)',
    ]);
    expect(issues(containerSpecSchema.safeParse({ kind: 'container', image: 'x:1', files: [file('/a', { secret: 'yes' })] }))).toEqual([
      'files.0.secret: Invalid input: expected boolean, received string',
    ]);
    expect(issues(jobFilesSchema.safeParse([file('/a', { secret: true })]))).toEqual([]);
  });

  it('merges a template entry over the component: same path replaces, new paths are added', () => {
    const base = [file('/a', { content: '1' }), file('/b', { content: '2' })];
    expect(mergeFiles(base, [file('/b', { content: 'B' }), file('/c', { content: '3' })])).toEqual([
      file('/a', { content: '1' }),
      file('/b', { content: 'B' }),
      file('/c', { content: '3' }),
    ]);
  });
});
