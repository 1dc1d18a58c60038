import { useEffect, useRef, useState } from 'react';
import type { DeploymentEvent } from '@bud/contracts';

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'closed';

/** Splits a server-sent-events text buffer into complete `data:` payloads and the unfinished rest. */
export function parseSseChunk(buffer: string): { payloads: Array<{ id?: string; data: string }>; rest: string } {
  const blocks = buffer.split('\n\n');
  const rest = blocks.pop() ?? '';
  const payloads: Array<{ id?: string; data: string }> = [];
  for (const block of blocks) {
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('id:')) id = line.slice(3).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    if (data.length > 0) payloads.push({ id, data: data.join('\n') });
  }
  return { payloads, rest };
}

/**
 * Follows `GET /deployments/{id}/events` as an event stream (fetch, so it passes the same proxy and headers
 * as every call), resuming after a drop from the last event id it saw.
 */
export function useDeploymentStream(deploymentId: string, onEvent: (event: DeploymentEvent) => void): StreamState {
  const [state, setState] = useState<StreamState>('connecting');
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    const abort = new AbortController();
    let lastId = '';
    let retryMs = 500;
    const follow = async () => {
      while (!abort.signal.aborted) {
        try {
          const response = await fetch(`/api/v1/deployments/${deploymentId}/events`, {
            headers: { accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) },
            signal: abort.signal,
          });
          if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
          setState('live');
          retryMs = 500;
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            const parsed = parseSseChunk(buffer + value);
            buffer = parsed.rest;
            for (const payload of parsed.payloads) {
              if (payload.id) lastId = payload.id;
              handler.current(JSON.parse(payload.data) as DeploymentEvent);
            }
          }
        } catch {
          if (abort.signal.aborted) break;
        }
        setState('reconnecting');
        await new Promise((resolve) => setTimeout(resolve, retryMs));
        retryMs = Math.min(10_000, retryMs * 2);
      }
      setState('closed');
    };
    void follow();
    return () => abort.abort();
  }, [deploymentId]);
  return state;
}
