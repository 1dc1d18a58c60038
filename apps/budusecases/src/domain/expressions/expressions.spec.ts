import { ExpressionError, collectReferences, parseExpression, parseTemplate, printExpression, renderTemplateString } from './index';
import type { Scope } from './index';

const scope: Scope = {
  parameters: { model_id: 'meta-llama/Llama-3.1-8B-Instruct', gpu_count: 2, enable_reranker: false, prompt: null, nested: { a: [10, 20] } },
  components: { llm: { outputs: { url: 'http://llm.uc-1.svc:8000', port: 8000 } }, 'vector-db': { outputs: { url: 'http://vdb:6333' } } },
  deployment: { name: 'demo', id: '7b1f0c8e-0000-4000-8000-000000000000', namespace: 'uc-7b1f0c8e0000' },
  cluster: { name: 'local', ingress_url: null },
};

const render = (text: string): unknown => renderTemplateString(text, scope, 'components[2].config.url').value;

function errorOf(fn: () => unknown): ExpressionError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error('expected an ExpressionError');
}

describe('expression rendering', () => {
  it.each<[string, string, unknown]>([
    ['plain text passes through untouched', 'no braces here', 'no braces here'],
    ['one expression keeps the number type', '{{ parameters.gpu_count }}', 2],
    ['one expression keeps the boolean type', '{{parameters.enable_reranker}}', false],
    ['interpolation makes a string', 'gpus={{ parameters.gpu_count }}', 'gpus=2'],
    ['dot form reaches a dashed component id', '{{ components.vector-db.outputs.url }}', 'http://vdb:6333'],
    ['bracket form reaches a component id', "{{ components['llm'].outputs.url }}/v1", 'http://llm.uc-1.svc:8000/v1'],
    ['deployment fields are readable', '{{ deployment.namespace }}', 'uc-7b1f0c8e0000'],
    ['default replaces null', "{{ parameters.prompt | default('You are helpful') }}", 'You are helpful'],
    ['default replaces a missing output', '{{ components.reranker.outputs.url | default(null) }}', null],
    ['default keeps a present value', '{{ parameters.gpu_count | default(1) }}', 2],
    ['list index reads an element', '{{ parameters.nested.a[1] }}', 20],
    ['comparison and logic', '{{ parameters.gpu_count >= 2 and not parameters.enable_reranker }}', true],
    ['or with parentheses', "{{ (parameters.gpu_count < 1 or deployment.name == 'demo') }}", true],
    ['string literal with escaped quote', "{{ 'it\\'s' }}", "it's"],
    ['closing braces inside a string literal', "{{ '}}' }}!", '}}!'],
    ['null interpolates as empty text', 'x{{ cluster.ingress_url }}y', 'xy'],
    ['negative number literal', '{{ -1.5 }}', -1.5],
  ])('%s', (_name, text, expected) => {
    expect(render(text)).toEqual(expected);
  });

  it.each<[string, string, RegExp]>([
    ['an unknown filter', '{{ parameters.x | upper }}', /unknown filter 'upper'/],
    ['prototype access by dot', '{{ parameters.__proto__ }}', /'__proto__' cannot be accessed/],
    ['prototype access by bracket', "{{ parameters['constructor'] }}", /'constructor' cannot be accessed/],
    ['a prototype chain climb', '{{ deployment.name.prototype }}', /'prototype' cannot be accessed/],
    ['an unclosed expression', 'a {{ parameters.x', /not closed/],
    ['an empty expression', '{{ }}', /empty/],
    ['chained comparisons', '{{ 1 < 2 < 3 }}', /cannot be chained/],
    ['member access on a parenthesis', '{{ (parameters).x }}', /only references/],
    ['a function call', '{{ parameters.x() }}', /unexpected '\('/],
    ['arithmetic', '{{ parameters.gpu_count + 1 }}', /unexpected character '\+'/],
    ['a missing value without default', '{{ parameters.nope }}', /parameters.nope has no value/],
    ['inherited properties', '{{ parameters.toString }}', /has no value/],
    ['comparing a string with a number', '{{ deployment.name < 3 }}', /cannot compare string < number/],
  ])('refuses %s with an ExpressionError naming the path', (_name, text, message) => {
    const error = errorOf(() => render(text));
    expect(error.path).toBe('components[2].config.url');
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/column \d+/);
  });

  it('points the column at the offending token', () => {
    expect(errorOf(() => render('ab {{ parameters.x | upper }}')).column).toBe(22);
  });

  it('bounds nesting and length', () => {
    expect(errorOf(() => render(`{{ ${'('.repeat(100)}1${')'.repeat(100)} }}`)).message).toMatch(/nested deeper/);
    expect(errorOf(() => render(`{{ ${'not '.repeat(100)}true }}`)).message).toMatch(/nested deeper|tokens/);
    expect(errorOf(() => render(`{{ '${'x'.repeat(5000)}' }}`)).message).toMatch(/longer than/);
    expect(errorOf(() => render('{{ 1 }}'.repeat(300))).message).toMatch(/more than 256 expressions/);
  });

  it('stops rendering as soon as the output passes its maximum length, escaping of a deferred string not counted', () => {
    const list: Scope = { ...scope, parameters: { l: Array.from({ length: 200 }, () => 'x'.repeat(990)) } };
    const amplified = '{{ parameters.l }}'.repeat(256);
    const error = errorOf(() => renderTemplateString(amplified, list, 'files[0].content', { maxLength: 65_536 }));
    expect(error.path).toBe('files[0].content');
    expect(error.reason).toBe('renders to more than 65536 characters');
    expect(errorOf(() => renderTemplateString(amplified, list, 'p')).reason).toMatch(/more than 65536/);
    expect(renderTemplateString('ab{{ 1 }}', scope, 'p', { maxLength: 3 }).value).toBe('ab1');
    expect(errorOf(() => renderTemplateString('abc{{ 1 }}', scope, 'p', { maxLength: 3 })).reason).toMatch(/more than 3/);
    // 6 literal characters count 6, not the characters of their escaping, and the waiting expression counts nothing.
    const deferred = renderTemplateString('{ { { {{ components.llm.outputs.url }}', scope, 'p', {
      defer: (ref) => ref.segments[0] === 'components',
      maxLength: 6,
    });
    expect(deferred).toEqual({ value: "{{ '{' }} {{ '{' }} {{ '{' }} {{ components.llm.outputs.url }}", deferred: true });
  });

  it('reads an escaped brace back as text: not counted as an expression, nor its escaping as length', () => {
    const text = `${'a{'.repeat(30_000)} {{ deployment.name }}`;
    const escaped = renderTemplateString(text, scope, 'p', { defer: (ref) => ref.segments[0] === 'deployment' });
    expect(escaped.deferred).toBe(true);
    expect(String(escaped.value).length).toBeGreaterThan(65_536);
    expect(renderTemplateString(String(escaped.value), scope, 'p').value).toBe(`${'a{'.repeat(30_000)} demo`);
    expect(errorOf(() => render(`${"{{ '{' }}".repeat(65_537)}`)).reason).toMatch(/longer than 65536/);
  });

  it('defers references it is told to, escaping the final text around them', () => {
    const result = renderTemplateString('{ {{ deployment.name }} {{ components.llm.outputs.url }}', scope, 'env.X', {
      defer: (ref) => ref.segments[0] === 'components',
    });
    expect(result).toEqual({ value: "{{ '{' }} demo {{ components.llm.outputs.url }}", deferred: true });
    expect(renderTemplateString(String(result.value), scope, 'env.X').value).toBe('{ demo http://llm.uc-1.svc:8000');
  });

  it('parses bare conditions and lists their references without evaluating', () => {
    const parsed = parseExpression('parameters.enable_reranker and components.llm.outputs.port > 0', 'components[1].condition');
    expect(parsed.references.map((r) => r.segments.join('.'))).toEqual(['parameters.enable_reranker', 'components.llm.outputs.port']);
    const scan = collectReferences({ env: { A: '{{ parameters.a }}', B: ['x', '{{ deployment.id }}'] }, bad: '{{ ( }}' }, [
      'components',
      0,
    ]);
    expect(scan.references.map((r) => [r.path, r.segments.join('.')])).toEqual([
      ['components[0].env.A', 'parameters.a'],
      ['components[0].env.B[1]', 'deployment.id'],
    ]);
    expect(scan.errors.map((e) => e.path)).toEqual(['components[0].bad']);
  });

  it('prints a canonical form that re-parses to itself', () => {
    const expr = parseTemplate("{{ not a.b['c-d'] == 'x' or e | default(1) }}", 'p').single;
    expect(expr).not.toBeNull();
    const printed = printExpression(expr!);
    expect(printed).toBe("((not (a.b['c-d'] == 'x')) or ((e) | default(1)))");
    expect(printExpression(parseExpression(printed, 'p').expr)).toBe(printed);
  });
});
