import { Inject, Injectable } from '@nestjs/common';
import type { CreateJobRequest } from '@bud/contracts';
import type { SecretBox } from '@bud/auth';
import { SECRET_BOX } from '@bud/ports';
import { completeJob } from '../../domain/resolver';
import type { Result } from '../../domain/resolver';
import type { DeploymentComponentRecord, DeploymentRecord } from '../../entities/records';
import { openSecrets } from './deployment-secrets';

/** What a component's job should be now, and the key its digest is taken with: read by planning and by the job actions alike. */
@Injectable()
export class DesiredJobs {
  constructor(@Inject(SECRET_BOX) private readonly secrets: SecretBox) {}

  /** The job a component should run now: its plan with the deployment's parameters and its dependencies' outputs. */
  desiredJob(
    deployment: DeploymentRecord,
    all: DeploymentComponentRecord[],
    component: DeploymentComponentRecord,
  ): Result<CreateJobRequest> {
    const outputs = Object.fromEntries(all.filter((c) => component.dependsOn.includes(c.id)).map((c) => [c.id, c.outputs]));
    return completeJob(component.planned, {
      parameters: { ...deployment.parameters, ...openSecrets(this.secrets, deployment.secretParameters) },
      context: deployment.resolveContext,
      outputs,
    });
  }

  /** The deployment's digest key; none when it predates keys, or when SECRETS_KEY changed (its jobs are then patched once, as no-ops). */
  hashKey(deployment: DeploymentRecord): Buffer | undefined {
    if (!deployment.jobHashKey) return undefined;
    try {
      return Buffer.from(this.secrets.open(deployment.jobHashKey), 'hex');
    } catch {
      return undefined;
    }
  }
}
