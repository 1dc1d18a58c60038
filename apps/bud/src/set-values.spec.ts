import { UsageError } from './errors';
import { parseSetValues } from './set-values';

describe('parseSetValues', () => {
  it.each([
    ['a number', 'gpu_count=2', 2],
    ['a decimal', 'temperature=0.7', 0.7],
    ['a boolean', 'tracing=true', true],
    ['null', 'size=null', null],
    ['a string that is not JSON', 'model_id=meta-llama/Llama-3.1-8B-Instruct', 'meta-llama/Llama-3.1-8B-Instruct'],
    ['a quoted string of digits', 'tag="007"', '007'],
    ['an empty value', 'prompt=', ''],
    ['a value holding =', 'selector=a=b', 'a=b'],
    ['a JSON array', 'hosts=["a","b"]', ['a', 'b']],
    ['an empty list (a list parameter with no items)', 'tools_enabled=[]', []],
    ['a size with a unit', 'vector_db_size=50Gi', '50Gi'],
  ])('parses %s', (_, pair, expected) => {
    expect(Object.values(parseSetValues([pair]))).toEqual([expected]);
  });

  it('lets a later value for the same key win', () => {
    expect(parseSetValues(['a=1', 'b=x', 'a=2'])).toEqual({ a: 2, b: 'x' });
  });

  it('keeps __proto__ as a plain key instead of replacing the prototype', () => {
    const parameters = parseSetValues(['__proto__=1']);
    expect(Object.keys(parameters)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(parameters)).toBe(Object.prototype);
  });

  it.each([['no-equals'], ['=value'], ['bad-name=1'], ['9lives=1']])('refuses %s', (pair) => {
    expect(() => parseSetValues([pair])).toThrow(UsageError);
  });
});
