import { ApiException, KubeConfig } from '@kubernetes/client-node';
import { KubeClient, retryAfterMs } from './kube-client';
import { DEPLOYMENT } from './resource-kinds';

const throttled = (retryAfter?: string) =>
  new ApiException(429, 'storage is (re)initializing', {}, retryAfter === undefined ? {} : { 'retry-after': retryAfter });

function clientListing(answers: Array<() => Promise<unknown>>): { client: KubeClient; calls: () => number } {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:1' }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const client = new KubeClient(config);
  let calls = 0;
  Object.assign(client, { objects: { list: () => (answers[calls++] ?? answers.at(-1)!)() } });
  return { client, calls: () => calls };
}

describe('KubeClient.list under API server throttling', () => {
  it('retries a 429 and answers the listing once the API server serves it', async () => {
    const page = { items: [{ kind: 'Deployment' }], metadata: { resourceVersion: '42' } };
    const { client, calls } = clientListing([() => Promise.reject(throttled('0')), () => Promise.resolve(page)]);
    await expect(client.list(DEPLOYMENT, 'a=b')).resolves.toEqual({ absent: false, items: page.items, resourceVersion: '42' });
    expect(calls()).toBe(2);
  });

  it('gives up after five 429s and surfaces the last one', async () => {
    const { client, calls } = clientListing([() => Promise.reject(throttled('0'))]);
    await expect(client.list(DEPLOYMENT, 'a=b')).rejects.toMatchObject({ code: 429 });
    expect(calls()).toBe(5);
  });

  it('does not retry other errors', async () => {
    const { client, calls } = clientListing([() => Promise.reject(new ApiException(500, 'boom', {}, {}))]);
    await expect(client.list(DEPLOYMENT, 'a=b')).rejects.toMatchObject({ code: 500 });
    expect(calls()).toBe(1);
  });
});

describe('retryAfterMs', () => {
  it.each([
    ['2', 2000],
    ['0', 0],
    ['600', 5000],
    [undefined, 1000],
    ['soon', 1000],
    ['-3', 1000],
  ])('reads Retry-After %p as %p ms', (header, expected) => {
    expect(retryAfterMs(throttled(header))).toBe(expected);
  });
});
