import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './errors';

export const DEFAULT_API_URL = 'http://127.0.0.1:9084';
export const DEFAULT_CLUSTER_API_URL = 'http://127.0.0.1:9082';

export interface CliConfig {
  /** budusecases: templates, components, deployments. */
  apiUrl: string;
  /** budcluster: clusters and jobs. */
  clusterApiUrl: string;
  token?: string;
}

export interface ConfigFile {
  api_url?: string;
  cluster_api_url?: string;
  token?: string;
}

export interface ConfigFlags {
  apiUrl?: string;
  clusterApiUrl?: string;
  token?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const FILE_KEYS = ['api_url', 'cluster_api_url', 'token'] as const;

/** `$BUD_CONFIG`, else `~/.config/bud/config.json`. */
export function configFilePath(env: Env, homeDir: string): string {
  return nonEmpty(env.BUD_CONFIG) ?? join(homeDir, '.config', 'bud', 'config.json');
}

/**
 * Reads the config file. A missing default file is normal; a missing file that `$BUD_CONFIG` names
 * explicitly is a mistake worth reporting.
 */
export function readConfigFile(path: string, mustExist: boolean): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !mustExist) return {};
    throw new UsageError(`cannot read the config file ${path}: ${(error as Error).message}`);
  }
  return parseConfigFile(text, path);
}

export function parseConfigFile(text: string, path: string): ConfigFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`the config file ${path} must hold a JSON object with ${FILE_KEYS.join(', ')}`);
  }
  const file: ConfigFile = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!(FILE_KEYS as readonly string[]).includes(key)) {
      throw new UsageError(`the config file ${path} has an unknown key '${key}'; the keys are ${FILE_KEYS.join(', ')}`);
    }
    if (typeof value !== 'string') throw new UsageError(`the config file ${path}: '${key}' must be a string`);
    file[key as (typeof FILE_KEYS)[number]] = value;
  }
  return file;
}

/** Flags, then environment, then the config file, then the embedded-mode defaults. */
export function resolveConfig(flags: ConfigFlags, env: Env, file: ConfigFile): CliConfig {
  const apiUrl = nonEmpty(flags.apiUrl) ?? nonEmpty(env.BUD_API_URL) ?? nonEmpty(file.api_url) ?? DEFAULT_API_URL;
  const clusterApiUrl =
    nonEmpty(flags.clusterApiUrl) ?? nonEmpty(env.BUD_CLUSTER_API_URL) ?? nonEmpty(file.cluster_api_url) ?? DEFAULT_CLUSTER_API_URL;
  const token = nonEmpty(flags.token) ?? nonEmpty(env.BUD_TOKEN) ?? nonEmpty(file.token);
  return {
    apiUrl: normalizeUrl(apiUrl, 'the budusecases URL (--api-url, BUD_API_URL, api_url)'),
    clusterApiUrl: normalizeUrl(clusterApiUrl, 'the budcluster URL (--cluster-api-url, BUD_CLUSTER_API_URL, cluster_api_url)'),
    ...(token ? { token } : {}),
  };
}

function normalizeUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${what} is not a URL: '${value}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${what} must be an http:// or https:// URL: '${value}'`);
  return url.toString().replace(/\/+$/, '');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
