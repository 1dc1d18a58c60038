import type { Reference } from '../expressions';
import { describeReference } from '../expressions';
import { CLUSTER_FIELDS, DEPLOYMENT_FIELDS } from './types';

export type ClassifiedReference =
  | { kind: 'parameter'; name: string }
  | { kind: 'output'; component: string; key: string }
  | { kind: 'deployment'; field: string }
  | { kind: 'cluster'; field: string }
  | { kind: 'invalid'; message: string };

const ROOTS = 'parameters, components, deployment or cluster';

/** What a reference names, by shape only (whether the names exist is checked by the caller). */
export function classifyReference(reference: Reference): ClassifiedReference {
  const [root, second, third, fourth] = reference.segments;
  const n = reference.segments.length;
  const text = (): string => describeReference(reference.segments);
  switch (root) {
    case 'parameters':
      return n === 2 && second ? { kind: 'parameter', name: second } : { kind: 'invalid', message: `${text()} must be parameters.<name>` };
    case 'components':
      return n === 4 && second && third === 'outputs' && fourth
        ? { kind: 'output', component: second, key: fourth }
        : { kind: 'invalid', message: `${text()} must be components.<id>.outputs.<key>` };
    case 'deployment':
      return n === 2 && second && DEPLOYMENT_FIELDS.has(second)
        ? { kind: 'deployment', field: second }
        : { kind: 'invalid', message: `${text()} must be deployment.name, deployment.id or deployment.namespace` };
    case 'cluster':
      return n === 2 && second && CLUSTER_FIELDS.has(second)
        ? { kind: 'cluster', field: second }
        : { kind: 'invalid', message: `${text()} must be cluster.<${[...CLUSTER_FIELDS].join('|')}>` };
    default:
      return { kind: 'invalid', message: `${text()} is unknown; references start with ${ROOTS}` };
  }
}
