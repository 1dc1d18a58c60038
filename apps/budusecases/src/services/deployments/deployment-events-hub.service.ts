import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';

/** Wakes live SSE streams of a deployment the moment this process records an event for it. */
@Injectable()
export class DeploymentEventsHub {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  notify(deploymentId: string): void {
    this.emitter.emit(deploymentId);
  }

  subscribe(deploymentId: string, listener: () => void): () => void {
    this.emitter.on(deploymentId, listener);
    return () => this.emitter.off(deploymentId, listener);
  }
}
