/** @jest-environment jsdom */
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { stubMatchMedia } from '../../test/support/match-media';
import { ClusterJobs, jobsTotalText } from './ClusterJobs';

beforeAll(() => {
  stubMatchMedia();
});

const CLUSTER = '11111111-1111-4111-8111-111111111111';
const job = (name: string) => ({
  id: `${name}-0000-4000-8000-000000000000`,
  name,
  status: 'succeeded',
  status_message: null,
  resources: { gpu_type: null, gpu_count: 0, replicas: 1 },
  queue_position: null,
  admitted_flavor: null,
});

describe('the cluster jobs table', () => {
  it('pages older and newer by next_cursor, saying what kind of total it shows', async () => {
    const asked: string[] = [];
    globalThis.fetch = jest.fn(async (url: string) => {
      const cursor = new URL(url, 'http://ui').searchParams.get('cursor');
      asked.push(cursor ?? 'first');
      const body =
        cursor === 'c1'
          ? { items: [job('older')], total: 1_200_000, total_kind: 'estimate', page: 1, page_size: 100, next_cursor: null }
          : { items: [job('newest')], total: 1_200_000, total_kind: 'estimate', page: 1, page_size: 100, next_cursor: 'c1' };
      return { ok: true, status: 200, text: async () => JSON.stringify(body) } as Response;
    }) as unknown as typeof fetch;
    render(<ClusterJobs clusterId={CLUSTER} />);
    await waitFor(() => expect(document.querySelector('[data-job="newest"]')).not.toBeNull());
    expect(screen.getByTestId('jobs-total').textContent).toBe('about 1,200,000 jobs');
    fireEvent.click(screen.getByTestId('jobs-older'));
    await waitFor(() => expect(document.querySelector('[data-job="older"]')).not.toBeNull());
    expect(screen.getByTestId('jobs-older').closest('button')?.disabled).toBe(true);
    fireEvent.click(screen.getByTestId('jobs-newer'));
    await waitFor(() => expect(document.querySelector('[data-job="newest"]')).not.toBeNull());
    expect(asked).toEqual(['first', 'c1', 'first']);
  });

  it.each([
    [{ total: 12, total_kind: 'exact' as const }, '12 jobs'],
    [{ total: 1, total_kind: 'exact' as const }, '1 job'],
    [{ total: 10_000, total_kind: 'capped' as const, total_capped: true }, '10,000+ jobs'],
    [{ total: 10_000, total_capped: true }, '10,000+ jobs'],
  ])('says %j as %s', (answer, text) => {
    expect(jobsTotalText(answer)).toBe(text);
  });
});
