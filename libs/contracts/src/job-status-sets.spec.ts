import { activeJobStatuses, jobStatuses } from './job';
import { jobStatusTransitions, terminalJobStatuses } from './job-status-transitions';

describe('job status sets', () => {
  it('splits every status into active or terminal, never both', () => {
    expect([...activeJobStatuses, ...terminalJobStatuses].sort()).toEqual([...jobStatuses].sort());
  });

  it('lets a terminal job move only by a retry of a failure', () => {
    const movesOutOfTerminal = terminalJobStatuses.flatMap((from) => jobStatusTransitions[from].map((to) => `${from}->${to}`));
    expect(movesOutOfTerminal).toEqual(['failed->pending']);
  });
});
