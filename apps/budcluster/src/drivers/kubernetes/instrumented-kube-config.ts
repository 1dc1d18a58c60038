import http from 'node:http';
import type https from 'node:https';
import type { LookupFunction } from 'node:net';
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

/**
 * A KubeConfig that counts every request made with it. The generated clients (typed APIs,
 * KubernetesObjectApi, including its discovery calls) authenticate each request through
 * `applySecurityAuthentication`; watches, logs and health checks go through `applyToFetchOptions`.
 * Both are also where a `connectLookup` is put on the connection's agent, so every connection resolves
 * its host through it.
 */
export class InstrumentedKubeConfig extends KubeConfig {
  requests = 0;

  /** `requestTimeoutMs` bounds generated-client requests only; watches are long-lived by design. */
  constructor(
    private readonly requestTimeoutMs?: number,
    private readonly connectLookup?: LookupFunction,
  ) {
    super();
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    this.requests += 1;
    if (this.requestTimeoutMs !== undefined) context.setSignal(AbortSignal.timeout(this.requestTimeoutMs));
    await super.applySecurityAuthentication(context);
    this.pinLookup(context.getAgent());
  }

  override async applyToFetchOptions(opts: https.RequestOptions): ReturnType<KubeConfig['applyToFetchOptions']> {
    this.requests += 1;
    const options = await super.applyToFetchOptions(opts);
    this.pinLookup(options.agent);
    return options;
  }

  // The client makes a fresh agent per request from its own options; its socket options come from `agent.options`.
  private pinLookup(agent: unknown): void {
    if (this.connectLookup && agent instanceof http.Agent)
      (agent as http.Agent & { options: http.AgentOptions }).options.lookup = this.connectLookup;
  }
}
