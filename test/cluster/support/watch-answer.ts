import { Watch, type KubeConfig } from '@kubernetes/client-node';

/** 410, 'resumed', or a description of anything else the server did. */
type WatchAnswer = number | string;

/**
 * Opens a watch from `resourceVersion` and reports how the API server answers it: `410` when that version
 * is too old to resume from (an ERROR event or an HTTP 410), `'resumed'` when the first thing it sends is
 * an object event. Closes the watch either way.
 */
export async function watchAnswer(config: KubeConfig, path: string, resourceVersion: string, labelSelector: string): Promise<WatchAnswer> {
  let controller: AbortController | undefined;
  const answer = new Promise<WatchAnswer>((resolve) => {
    const timer = setTimeout(() => resolve('no answer in 20 s'), 20_000);
    const settle = (value: WatchAnswer) => {
      clearTimeout(timer);
      resolve(value);
    };
    new Watch(config)
      .watch(
        path,
        { resourceVersion, labelSelector, allowWatchBookmarks: false },
        (phase, object: { code?: number }) =>
          settle(phase === 'ERROR' && object?.code === 410 ? 410 : phase === 'ERROR' ? `ERROR ${JSON.stringify(object)}` : 'resumed'),
        (err: unknown) => {
          const status =
            (err as { statusCode?: number; code?: number } | undefined)?.statusCode ?? (err as { code?: number } | undefined)?.code;
          settle(status === 410 ? 410 : `closed: ${String((err as Error | undefined)?.message ?? 'no error')}`);
        },
      )
      .then(
        (c) => (controller = c),
        (err: Error) => settle(`refused: ${err.message}`),
      );
  });
  const result = await answer;
  controller?.abort();
  return result;
}
