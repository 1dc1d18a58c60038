import { cpuCores, memoryGiB, parseQuantity } from './quantity';

describe('cpuCores', () => {
  it.each([
    ['millicores are thousandths of a core', '500m', 0.5],
    ['a bare integer is whole cores', '2', 2],
    ['a decimal is fractional cores', '1.5', 1.5],
    ['a leading-dot decimal is accepted', '.25', 0.25],
    ['a trailing-dot decimal is accepted', '3.', 3],
    ['one millicore is the smallest usual request', '1m', 0.001],
    ['a decimal exponent scales by powers of ten', '1e3', 1000],
    ['a negative exponent shrinks', '25e-2', 0.25],
    ['kilo is a decimal suffix', '2k', 2000],
    ['zero is a quantity', '0', 0],
    ['surrounding whitespace is ignored', ' 4 ', 4],
  ])('%s (%s → %d)', (_name, quantity, expected) => {
    expect(cpuCores(quantity)).toBeCloseTo(expected, 9);
  });
});

describe('memoryGiB', () => {
  it.each([
    ['gibibytes are whole GiB', '8Gi', 8],
    ['512 mebibytes are half a GiB', '512Mi', 0.5],
    ['a tebibyte is 1024 GiB', '1Ti', 1024],
    ['kibibytes scale by 2^20 to GiB', '1048576Ki', 1],
    ['gigabytes are decimal and smaller than GiB', '1G', 1e9 / 2 ** 30],
    ['megabytes are decimal', '1000M', 1e9 / 2 ** 30],
    ['plain bytes', '1073741824', 1],
    ['a fractional GiB', '1.5Gi', 1.5],
    ['an exponent is bytes times a power of ten', '1e9', 1e9 / 2 ** 30],
    ['exa (E without digits after it) is a suffix, not an exponent', '1E', 1e18 / 2 ** 30],
  ])('%s (%s → %d)', (_name, quantity, expected) => {
    expect(memoryGiB(quantity)).toBeCloseTo(expected, 9);
  });
});

describe('parseQuantity rejects what Kubernetes rejects', () => {
  it.each([
    ['an empty string', ''],
    ['a negative number', '-1'],
    ['an unknown suffix', '5Q'],
    ['a lowercase binary suffix', '8gi'],
    ['a suffix alone', 'Gi'],
    ['two suffixes', '1GiB'],
    ['a space inside', '1 Gi'],
    ['a suffix after an exponent', '1e3Gi'],
    ['hexadecimal', '0x10'],
    ['an exponent overflowing to infinity', '1e400'],
  ])('%s (%j)', (_name, quantity) => {
    expect(() => parseQuantity(quantity)).toThrow(/quantity|range/);
  });
});
