import type { DeploymentResponse } from '@bud/contracts';
import type { CommandContext } from './command';

/** The API accepts these actions at once (202) and carries them out in the background. */
export function requested(action: string, d: DeploymentResponse): string {
  return `${action} requested for ${d.name} (${d.id}); follow it with: bud deployments show ${d.name}`;
}

export function report(context: CommandContext, deployment: DeploymentResponse, sentence: string): void {
  if (context.format === 'json') context.output.json(deployment);
  else context.output.out(sentence);
}
