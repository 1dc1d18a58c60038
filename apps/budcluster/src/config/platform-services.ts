import type { ServiceName } from '@bud/auth';
import type { BudclusterConfig } from './budcluster.config';

/** Which platform service an event subscriber is: only budusecases' own URL is shown budcluster's service token. */
export function platformServiceAt(config: Pick<BudclusterConfig, 'BUDUSECASES_URL'>): (subscriberUrl: string) => ServiceName | undefined {
  const budusecases = new URL(config.BUDUSECASES_URL).origin;
  return (subscriberUrl) => (new URL(subscriberUrl).origin === budusecases ? 'budusecases' : undefined);
}
