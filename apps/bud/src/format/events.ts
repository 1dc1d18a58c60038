import type { DeploymentEvent } from '@bud/contracts';
import { cleanCell } from './table';
import { formatClock } from './values';

/** One aligned line per status change while a command waits on a deployment. */
export class EventLines {
  private readonly width: number;

  constructor(
    private readonly deploymentName: string,
    componentIds: readonly string[],
  ) {
    this.width = Math.max(deploymentName.length, ...componentIds.map((id) => id.length));
  }

  line(event: DeploymentEvent): string {
    const subject = event.component_id ?? this.deploymentName;
    const what = event.type === 'action' ? (event.message ?? 'action') : (event.status ?? '-');
    const note = event.type === 'action' ? '' : (event.message ?? '');
    return cleanCell(`  ${formatClock(event.occurred_at)}  ${subject.padEnd(this.width)}  ${what.padEnd(10)}  ${note}`).trimEnd();
  }
}
