import type { JobSpec } from '@bud/contracts';
import { jobResourceName } from './object-names';

const ID = '0b6f7f5e-3f4c-4d8e-9a61-1c2b3d4e5f60';
const OTHER_ID = 'c0ffee12-3f4c-4d8e-9a61-1c2b3d4e5f60';
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

const container: JobSpec = { kind: 'container', image: 'ghcr.io/acme/api:1.4.2', env: {}, ports: [] };
const helm = (release_name?: string): JobSpec => ({
  kind: 'helm',
  chart_ref: 'oci://registry-1.docker.io/bitnamicharts/redis',
  values: {},
  ...(release_name ? { release_name } : {}),
});
const long = `a${'-b'.repeat(40)}`;

describe('jobResourceName', () => {
  it.each<[string, string, JobSpec, string]>([
    ['a name and the first 8 hex digits of the id', 'chat-api', container, 'chat-api-0b6f7f5e'],
    ['a name starting with a digit gets a j- prefix (a Service name starts with a letter)', '7b-chat', container, 'j-7b-chat-0b6f7f5e'],
    ['a long name is cut to 63 characters with the id kept whole', long, container, `${long.slice(0, 53)}-0b6f7f5e`],
    ['a helm job without release_name: the same rule under Helm’s 53', 'cache', helm(), 'cache-0b6f7f5e'],
    ['a long helm name is cut to 53 characters with the id kept whole', long, helm(), `${long.slice(0, 43)}-0b6f7f5e`],
    ['a helm job keeps the release_name it gives', 'cache', helm('redis-main'), 'redis-main'],
  ])('%s', (_case, name, spec, expected) => {
    const resourceName = jobResourceName(ID, name, spec);
    expect(resourceName).toBe(expected);
    expect(resourceName).toMatch(DNS_1035);
    expect(resourceName.length).toBeLessThanOrEqual(spec.kind === 'helm' ? 53 : 63);
  });

  it('never leaves a dash before the id where the cut falls on one', () => {
    const name = `${'a'.repeat(53)}-b`; // cut to 54 characters ends on the dash
    expect(jobResourceName(ID, name, container)).toBe(`${'a'.repeat(53)}-0b6f7f5e`);
  });

  it('gives two jobs of one name different names, unless a helm release_name is given', () => {
    expect(jobResourceName(ID, 'chat-api', container)).not.toBe(jobResourceName(OTHER_ID, 'chat-api', container));
    expect(jobResourceName(ID, 'cache', helm())).not.toBe(jobResourceName(OTHER_ID, 'cache', helm()));
    // The caller chose the release name, so two active jobs may not share it (JobService.create answers 409).
    expect(jobResourceName(ID, 'cache', helm('redis-main'))).toBe(jobResourceName(OTHER_ID, 'cache', helm('redis-main')));
  });
});
