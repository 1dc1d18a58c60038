import type https from 'node:https';
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

/**
 * A KubeConfig that counts every request made with it. The generated clients (typed APIs,
 * KubernetesObjectApi, including its discovery calls) authenticate each request through
 * `applySecurityAuthentication`; watches, logs and health checks go through `applyToFetchOptions`.
 */
export class InstrumentedKubeConfig extends KubeConfig {
  requests = 0;

  /** `requestTimeoutMs` bounds generated-client requests only; watches are long-lived by design. */
  constructor(private readonly requestTimeoutMs?: number) {
    super();
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    this.requests += 1;
    if (this.requestTimeoutMs !== undefined) context.setSignal(AbortSignal.timeout(this.requestTimeoutMs));
    await super.applySecurityAuthentication(context);
  }

  override applyToFetchOptions(opts: https.RequestOptions): ReturnType<KubeConfig['applyToFetchOptions']> {
    this.requests += 1;
    return super.applyToFetchOptions(opts);
  }
}
