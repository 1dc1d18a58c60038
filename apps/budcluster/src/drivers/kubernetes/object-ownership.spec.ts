import { namespaceClaim, objectOwnership, type OwnedMeta } from './object-ownership';

const ours = { 'app.kubernetes.io/managed-by': 'budcluster', 'bud.ai/tenant-id': 'tenant-a' };
const jobObject: OwnedMeta = { labels: { ...ours, 'bud.ai/job-id': 'job-1' } };
const claim: OwnedMeta = { labels: { ...ours, 'bud.ai/volume': 'web-data' } };

describe('objectOwnership: whether apply may write an object of that name', () => {
  it.each<[string, OwnedMeta, OwnedMeta | undefined, ReturnType<typeof objectOwnership>]>([
    ['nothing of that name exists', jobObject, undefined, { verdict: 'absent' }],
    ["the job's own object", jobObject, { labels: { ...ours, 'bud.ai/job-id': 'job-1', extra: 'x' } }, { verdict: 'ours' }],
    [
      'an object made by someone else (no managed-by label)',
      jobObject,
      { labels: { app: 'theirs' } },
      { verdict: 'foreign', why: 'it lacks the label app.kubernetes.io/managed-by=budcluster' },
    ],
    [
      'an object with no labels at all',
      jobObject,
      {},
      { verdict: 'foreign', why: 'it lacks the label app.kubernetes.io/managed-by=budcluster' },
    ],
    [
      'a managed-by label of another manager',
      jobObject,
      { labels: { ...ours, 'app.kubernetes.io/managed-by': 'helm', 'bud.ai/job-id': 'job-1' } },
      { verdict: 'foreign', why: 'it lacks the label app.kubernetes.io/managed-by=budcluster' },
    ],
    [
      "another tenant's object, without saying whose job",
      jobObject,
      { labels: { ...ours, 'bud.ai/tenant-id': 'tenant-b', 'bud.ai/job-id': 'job-9' } },
      { verdict: 'foreign', why: 'it belongs to another tenant' },
    ],
    [
      "another job's live object of the tenant",
      jobObject,
      { labels: { ...ours, 'bud.ai/job-id': 'job-2' } },
      { verdict: 'foreign', why: 'it belongs to job job-2' },
    ],
    [
      "another job's object on its way out (a stop then start): wait for it",
      jobObject,
      { labels: { ...ours, 'bud.ai/job-id': 'job-2' }, deletionTimestamp: '2026-01-01T00:00:00Z', uid: 'u-1' },
      { verdict: 'predecessor', uid: 'u-1' },
    ],
    ['a managed object without a job id', jobObject, { labels: ours }, { verdict: 'foreign', why: 'it carries no bud.ai/job-id label' }],
    ["the tenant's kept claim, reattached", claim, { labels: { ...ours, 'bud.ai/volume': 'web-data' } }, { verdict: 'ours' }],
    [
      'a managed claim that is not a kept volume',
      claim,
      { labels: { ...ours, 'bud.ai/job-id': 'job-1' } },
      { verdict: 'foreign', why: 'it is not a volume claim budcluster keeps' },
    ],
    [
      "another tenant's claim",
      claim,
      { labels: { ...ours, 'bud.ai/tenant-id': 'tenant-b', 'bud.ai/volume': 'web-data' } },
      { verdict: 'foreign', why: 'it belongs to another tenant' },
    ],
  ])('%s', (_name, rendered, found, expected) => {
    expect(objectOwnership(rendered, found)).toEqual(expected);
  });
});

describe('namespaceClaim: what a namespace on the cluster means for a tenant', () => {
  const legacy = { labels: { 'app.kubernetes.io/managed-by': 'budcluster' } };
  it.each<[string, OwnedMeta | undefined, boolean, ReturnType<typeof namespaceClaim>]>([
    ['absent: create it', undefined, false, 'absent'],
    ['managed for the tenant: render it again', { labels: ours }, false, 'ours'],
    ['made by an earlier budcluster without a tenant label, recorded for the tenant: the row decided', legacy, true, 'ours'],
    ['managed-by without a tenant label and no row: anyone could have forged it', legacy, false, 'unmanaged'],
    ['made by someone else', { labels: { 'kubernetes.io/metadata.name': 'team-x' } }, true, 'unmanaged'],
    ['no labels at all', {}, true, 'unmanaged'],
    ["another tenant's", { labels: { ...ours, 'bud.ai/tenant-id': 'tenant-b' } }, true, 'other-tenant'],
  ])('%s', (_name, found, recorded, expected) => {
    expect(namespaceClaim(found, 'tenant-a', recorded)).toBe(expected);
  });
});
