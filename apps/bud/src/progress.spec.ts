import type { DeploymentEvent } from '@bud/contracts';
import type { UsecasesApi } from './api/usecases-api';
import type { FollowOptions } from './progress';
import { followDeployment } from './progress';

const event = (id: number, componentId: string | null, status: string): DeploymentEvent => ({
  id: String(id),
  deployment_id: 'd',
  type: componentId ? 'component.status' : 'deployment.status',
  component_id: componentId,
  status,
  message: null,
  occurred_at: '2026-01-10T12:00:00.000Z',
});

const sse = (events: DeploymentEvent[]) => events.map((e) => `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join('');

/** budusecases' event stream as the follower sees it: one scripted answer per connection. */
function fakeApi(streams: Array<{ events: DeploymentEvent[]; staysOpen: boolean }>) {
  const opened: string[] = [];
  const api = {
    async openEventStream(_id: string, lastEventId: string, signal: AbortSignal): Promise<Response> {
      opened.push(lastEventId);
      const script = streams.shift() ?? { events: [], staysOpen: true };
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(sse(script.events)));
          if (script.staysOpen) signal.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
          else controller.close();
        },
      });
      return new Response(body);
    },
  };
  return { api: api as unknown as UsecasesApi, opened };
}

const options = (overrides: Partial<FollowOptions> = {}) => {
  const seen: string[] = [];
  const merged: FollowOptions = {
    target: 'running',
    afterEventId: '0',
    deadline: Date.now() + 10_000,
    onEvent: (e) => seen.push(`${e.component_id ?? 'deployment'} ${e.status}`),
    timings: { reconnectMs: 5, quietMs: 20 },
    ...overrides,
  };
  return { merged, seen };
};

describe('followDeployment', () => {
  it('reports every event in order and stops at the target status', async () => {
    const { api } = fakeApi([
      {
        events: [event(1, 'llm', 'deploying'), event(2, 'llm', 'running'), event(3, null, 'running'), event(4, 'llm', 'stopping')],
        staysOpen: true,
      },
    ]);
    const { merged, seen } = options();
    await expect(followDeployment(api, 'd', merged)).resolves.toEqual({ kind: 'reached', status: 'running' });
    expect(seen).toEqual(['llm deploying', 'llm running', 'deployment running']);
  });

  it('gives up when the deployment fails instead', async () => {
    const { api } = fakeApi([{ events: [event(1, 'llm', 'failed'), event(2, null, 'failed')], staysOpen: true }]);
    await expect(followDeployment(api, 'd', options().merged)).resolves.toEqual({ kind: 'gave_up', status: 'failed' });
  });

  it('reopens a dropped stream, reporting nothing twice', async () => {
    const { api, opened } = fakeApi([
      { events: [event(1, null, 'deploying'), event(2, 'llm', 'running')], staysOpen: false },
      { events: [event(1, null, 'deploying'), event(2, 'llm', 'running'), event(3, null, 'running')], staysOpen: true },
    ]);
    const { merged, seen } = options();
    await expect(followDeployment(api, 'd', merged)).resolves.toEqual({ kind: 'reached', status: 'running' });
    // the last read is the one more look taken at the final event
    expect(opened).toEqual(['0', '0', '0']);
    expect(seen).toEqual(['deployment deploying', 'llm running', 'deployment running']);
  });

  it('reads the stream again from the start when it falls quiet, reporting the events it skipped once each', async () => {
    const { api, opened } = fakeApi([
      // The first connection passes over event 2 (committed late) and never sees the final event 4.
      { events: [event(1, 'llm', 'deploying'), event(3, 'embedding', 'running')], staysOpen: true },
      {
        events: [event(1, 'llm', 'deploying'), event(2, 'llm', 'running'), event(3, 'embedding', 'running'), event(4, null, 'running')],
        staysOpen: true,
      },
    ]);
    const { merged, seen } = options();
    await expect(followDeployment(api, 'd', merged)).resolves.toEqual({ kind: 'reached', status: 'running' });
    // the last read is the one more look taken at the final event
    expect(opened).toEqual(['0', '0', '0']);
    expect(seen).toEqual(['llm deploying', 'embedding running', 'llm running', 'deployment running']);
  });

  it('reads the stream once more when the final event comes, so events passed over just before it are still reported', async () => {
    const { api, opened } = fakeApi([
      { events: [event(1, 'llm', 'deploying'), event(3, null, 'running')], staysOpen: true },
      { events: [event(1, 'llm', 'deploying'), event(2, 'llm', 'running'), event(3, null, 'running')], staysOpen: true },
    ]);
    const { merged, seen } = options();
    await expect(followDeployment(api, 'd', merged)).resolves.toEqual({ kind: 'reached', status: 'running' });
    expect(opened).toEqual(['0', '0']);
    expect(seen).toEqual(['llm deploying', 'llm running', 'deployment running']);
  });

  it('times out at the deadline while the deployment is still on its way', async () => {
    const { api } = fakeApi([{ events: [event(1, 'llm', 'deploying')], staysOpen: true }]);
    await expect(followDeployment(api, 'd', options({ deadline: Date.now() + 100 }).merged)).resolves.toEqual({ kind: 'timed_out' });
  });

  it('skips events the caller has seen when a resumed stream sends them again', async () => {
    const { api } = fakeApi([
      { events: [event(5, null, 'stopped'), event(8, null, 'pending'), event(9, null, 'stopped')], staysOpen: true },
    ]);
    const { merged, seen } = options({ target: 'stopped', afterEventId: '7', seenEventIds: ['5', '7'] });
    await expect(followDeployment(api, 'd', merged)).resolves.toEqual({ kind: 'reached', status: 'stopped' });
    expect(seen).toEqual(['deployment pending', 'deployment stopped']);
  });

  it('only follows events after the one it is told it has seen', async () => {
    const { api, opened } = fakeApi([{ events: [event(8, null, 'stopped')], staysOpen: true }]);
    await expect(followDeployment(api, 'd', options({ target: 'stopped', afterEventId: '7' }).merged)).resolves.toEqual({
      kind: 'reached',
      status: 'stopped',
    });
    expect(opened).toEqual(['7', '7']);
  });
});
