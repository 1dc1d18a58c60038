import type { ChangePlan, DeploymentComponentResponse, DeploymentResponse } from '@bud/contracts';
import { cleanCell } from './format/table';

export type ChangeState = { kind: 'done' } | { kind: 'waiting'; on: string[] } | { kind: 'failed'; reason: string };

const GONE_STATUSES = new Set(['skipped', 'stopped', 'deleting']);
const SETTLED_DEPLOYMENT = new Set(['running', 'degraded']);
const INTERRUPTED = new Set(['stopping', 'stopped', 'deleting']);

/**
 * How far a change the plan announced has got, from the deployment before the change and now
 * (docs/design.md#deployment-update). A component that rolls or scales is done once it runs a newer
 * generation than before (or was seen `updating`): a deployment can pass through `running` between
 * a dependency's rollout and its dependents' restart, so its status alone does not say the change is over.
 */
export function changeState(
  plan: ChangePlan,
  before: DeploymentResponse,
  now: DeploymentResponse,
  seenUpdating: ReadonlySet<string>,
): ChangeState {
  if (INTERRUPTED.has(now.status)) return { kind: 'failed', reason: `${now.name} is ${now.status}: it was stopped or deleted meanwhile` };
  if (now.status === 'failed' && before.status !== 'failed')
    return { kind: 'failed', reason: `${now.name} is failed${now.status_message ? `: ${now.status_message}` : ''}` };
  const rolling = new Set(plan.components.filter((c) => c.change === 'rolling' || c.change === 'scale').map((c) => c.id));
  for (const restart of plan.blast_radius) rolling.add(restart.component);
  const waiting: string[] = [];
  for (const planned of plan.components) {
    const was = before.components?.find((c) => c.id === planned.id);
    const is = now.components?.find((c) => c.id === planned.id);
    if (planned.change === 'remove') {
      if (is && !GONE_STATUSES.has(is.status)) waiting.push(planned.id);
      continue;
    }
    if (!rolling.has(planned.id) && planned.change !== 'add') continue;
    if (!is) {
      waiting.push(planned.id);
      continue;
    }
    if (is.status === 'failed' && (was?.status !== 'failed' || advanced(was, is)))
      return { kind: 'failed', reason: `${is.id} failed${is.message ? `: ${is.message}` : ''}` };
    const applied = planned.change === 'add' || advanced(was, is) || seenUpdating.has(is.id);
    if (!(applied && (is.status === 'running' || (planned.change === 'add' && is.status === 'skipped')))) waiting.push(planned.id);
  }
  if (waiting.length > 0) return { kind: 'waiting', on: waiting };
  if (!SETTLED_DEPLOYMENT.has(now.status)) return { kind: 'waiting', on: [now.name] };
  return { kind: 'done' };
}

function advanced(was: DeploymentComponentResponse | undefined, is: DeploymentComponentResponse): boolean {
  if (is.generation === null) return false;
  return was?.generation === null || was?.generation === undefined || is.generation > was.generation;
}

/** The components that change at all: with none, there is nothing to wait for. */
export function planChangesSomething(plan: ChangePlan): boolean {
  return plan.components.some((c) => c.change !== 'unchanged');
}

/** One line per move of the deployment or a component (status, health or its reason) between two reads. */
export function progressLines(previous: DeploymentResponse, now: DeploymentResponse, clock: string): string[] {
  const width = Math.max(now.name.length, ...(now.components ?? []).map((c) => c.id.length));
  const line = (subject: string, status: string, health: string, note: string) =>
    cleanCell(`  ${clock}  ${subject.padEnd(width)}  ${status.padEnd(10)}  ${health.padEnd(11)}  ${note}`).trimEnd();
  const lines: string[] = [];
  if (previous.status !== now.status || previous.status_message !== now.status_message)
    lines.push(line(now.name, now.status, '', now.status_message ?? ''));
  for (const c of now.components ?? []) {
    const p = previous.components?.find((x) => x.id === c.id);
    const moved =
      !p || p.status !== c.status || p.health !== c.health || p.health_message !== c.health_message || p.generation !== c.generation;
    if (moved) lines.push(line(c.id, c.status, c.health ?? '-', c.health_message ?? c.message ?? ''));
  }
  return lines;
}
