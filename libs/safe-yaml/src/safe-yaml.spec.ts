import { SafeYamlError, YAML_LIMITS, parseSafeYaml } from './safe-yaml';

function yamlErrorOf(text: string): SafeYamlError {
  try {
    parseSafeYaml(text, 'bomb.yaml');
  } catch (error) {
    if (error instanceof SafeYamlError) return error;
    throw error;
  }
  throw new Error('expected a SafeYamlError');
}

const billionLaughs = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...Array.from({ length: 9 }, (_, i) => {
    const prev = String.fromCharCode(97 + i);
    const name = String.fromCharCode(98 + i);
    return `${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`;
  }),
].join('\n');

describe('parseSafeYaml', () => {
  it('parses an ordinary template with the core schema (dates and versions stay strings)', () => {
    expect(parseSafeYaml('id: x\nversion: "1.0.0"\nreleased: 2024-01-02\ncount: 3\nflag: true\nlist: [a, b]\n')).toEqual({
      id: 'x',
      version: '1.0.0',
      released: '2024-01-02',
      count: 3,
      flag: true,
      list: ['a', 'b'],
    });
  });

  it('refuses a billion-laughs alias bomb on its first anchor, before expanding anything', () => {
    const error = yamlErrorOf(billionLaughs);
    expect(error.message).toMatch(/anchors and aliases are not allowed \(&a\)/);
    expect(error.line).toBe(1);
  });

  it.each([
    ['a scalar anchor', 'x: &v 1\ny: *v\n', 1],
    ['an anchored mapping used as a merge source', 'base: &b {a: 1}\nother:\n  <<: *b\n', 1],
    ['an anchor deep inside a list', 'a:\n  - b\n  - &c {d: 1}\n', 3],
    ['a self-referencing anchor', 'a: &r [*r]\n', 1],
  ])('refuses %s', (_name, text, line) => {
    const error = yamlErrorOf(text);
    expect(error.message).toMatch(/not allowed|unidentified alias/);
    expect(error.line).toBe(line);
  });

  it('refuses an alias with no anchor as malformed YAML', () => {
    expect(yamlErrorOf('a: *nothing\n').message).toMatch(/unidentified alias/);
  });

  it('accepts 64 levels of nesting and refuses 65', () => {
    const nested = (levels: number): string => `${'['.repeat(levels)}1${']'.repeat(levels)}`;
    expect(() => parseSafeYaml(nested(YAML_LIMITS.maxDepth))).not.toThrow();
    expect(yamlErrorOf(nested(YAML_LIMITS.maxDepth + 1)).message).toMatch(/deeper than 64/);
  });

  it('names the path of a too-deep mapping', () => {
    const deep = Array.from({ length: 65 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' {x: 1}\n';
    const error = yamlErrorOf(deep);
    expect(error.path).toMatch(/^k0\.k1\.k2\..*\.k63$/);
  });

  it('refuses 1,000-level nesting in block and flow style', () => {
    const block = Array.from({ length: 1000 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' 1\n';
    expect(yamlErrorOf(block).message).toMatch(/deeper than 64/);
    expect(yamlErrorOf(`${'{a: '.repeat(1000)}1${'}'.repeat(1000)}`).message).toMatch(/deeper than 64/);
  });

  it('refuses a string over 64 KiB, as value or as key, and accepts one at the limit', () => {
    const limit = 'x'.repeat(YAML_LIMITS.maxStringLength);
    expect(parseSafeYaml(`a: ${limit}\n`)).toEqual({ a: limit });
    expect(yamlErrorOf(`a: "${limit}x"\n`).message).toMatch(/65537 characters/);
    expect(yamlErrorOf(`${limit}x: 1\n`).message).toMatch(/65537 characters/);
    expect(yamlErrorOf(`a: |\n  ${limit}x\n`).message).toMatch(/characters; the limit/);
  });

  it('refuses a document over 1 MiB before parsing it', () => {
    const error = yamlErrorOf(`# ${'x'.repeat(YAML_LIMITS.maxDocumentBytes)}\n`);
    expect(error.message).toMatch(/the limit is 1048576/);
    expect(error.line).toBe(1);
  });

  it.each([
    ['a syntax error', 'a: [1, 2\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['two documents', 'a: 1\n---\nb: 2\n'],
    ['a JavaScript type tag', 'a: !!js/function "function () {}"\n'],
    ['a binary tag outside the core schema', 'a: !!binary aGVsbG8=\n'],
  ])('reports %s as a SafeYamlError with its line', (_name, text) => {
    const error = yamlErrorOf(text);
    expect(error.line).toBeGreaterThanOrEqual(1);
    expect(error.source).toBe('bomb.yaml');
  });

  it('keeps a __proto__ key as data without touching the prototype', () => {
    const value = parseSafeYaml('__proto__: {polluted: true}\n') as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
