import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_API_URL, DEFAULT_CLUSTER_API_URL, configFilePath, parseConfigFile, readConfigFile, resolveConfig } from './config';
import { UsageError } from './errors';

describe('resolveConfig', () => {
  const file = { api_url: 'http://file:1', cluster_api_url: 'http://file:2', token: 'file-token' };
  const env = { BUD_API_URL: 'http://env:1', BUD_CLUSTER_API_URL: 'http://env:2', BUD_TOKEN: 'env-token' };
  const flags = { apiUrl: 'http://flag:1', clusterApiUrl: 'http://flag:2', token: 'flag-token' };

  it('takes flags over everything', () => {
    expect(resolveConfig(flags, env, file)).toEqual({ apiUrl: 'http://flag:1', clusterApiUrl: 'http://flag:2', token: 'flag-token' });
  });

  it('takes the environment over the file', () => {
    expect(resolveConfig({}, env, file)).toEqual({ apiUrl: 'http://env:1', clusterApiUrl: 'http://env:2', token: 'env-token' });
  });

  it('takes the file over the defaults', () => {
    expect(resolveConfig({}, {}, file)).toEqual({ apiUrl: 'http://file:1', clusterApiUrl: 'http://file:2', token: 'file-token' });
  });

  it('falls back to the embedded-mode defaults, with no token', () => {
    expect(resolveConfig({}, {}, {})).toEqual({ apiUrl: DEFAULT_API_URL, clusterApiUrl: DEFAULT_CLUSTER_API_URL });
  });

  it('decides each setting on its own', () => {
    expect(resolveConfig({ token: 'flag-token' }, { BUD_CLUSTER_API_URL: 'http://env:2' }, { api_url: 'http://file:1' })).toEqual({
      apiUrl: 'http://file:1',
      clusterApiUrl: 'http://env:2',
      token: 'flag-token',
    });
  });

  it('treats an empty variable as unset', () => {
    expect(resolveConfig({}, { BUD_API_URL: '', BUD_TOKEN: ' ' }, file)).toMatchObject({ apiUrl: 'http://file:1', token: 'file-token' });
  });

  it('drops trailing slashes so paths join cleanly', () => {
    expect(resolveConfig({ apiUrl: 'http://host:9084/' }, {}, {}).apiUrl).toBe('http://host:9084');
  });

  it.each([['not a url'], ['ftp://host/']])('refuses the URL %s, naming where it came from', (url) => {
    expect(() => resolveConfig({ apiUrl: url }, {}, {})).toThrow(/budusecases URL \(--api-url, BUD_API_URL, api_url\)/);
  });
});

describe('the config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bud-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lives at $BUD_CONFIG, else ~/.config/bud/config.json', () => {
    expect(configFilePath({ BUD_CONFIG: '/etc/bud.json' }, '/home/me')).toBe('/etc/bud.json');
    expect(configFilePath({}, '/home/me')).toBe('/home/me/.config/bud/config.json');
  });

  it('may be missing at the default path', () => {
    expect(readConfigFile(join(dir, 'absent.json'), false)).toEqual({});
  });

  it('must exist when $BUD_CONFIG names it', () => {
    expect(() => readConfigFile(join(dir, 'absent.json'), true)).toThrow(/cannot read the config file/);
  });

  it('is read from disk', () => {
    const path = join(dir, 'config.json');
    writeFileSync(path, JSON.stringify({ api_url: 'http://a:1', token: 't' }));
    expect(readConfigFile(path, true)).toEqual({ api_url: 'http://a:1', token: 't' });
  });

  it.each([
    ['invalid JSON', '{', /is not valid JSON/],
    ['an array', '[]', /must hold a JSON object/],
    [
      'an unknown key, naming the known ones',
      '{"BUD_API_URL": "http://a"}',
      /unknown key 'BUD_API_URL'; the keys are api_url, cluster_api_url, token/,
    ],
    ['a value that is not a string', '{"token": 5}', /'token' must be a string/],
  ])('refuses %s', (_, text, message) => {
    expect(() => parseConfigFile(text, '/x/config.json')).toThrow(UsageError);
    expect(() => parseConfigFile(text, '/x/config.json')).toThrow(message);
  });
});
