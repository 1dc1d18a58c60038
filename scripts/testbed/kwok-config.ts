// kwok's configuration: the stages it plays on fake nodes and their pods, taken from the kwok module itself.
//   nodes: initialize to Ready, heartbeat through leases;
//   pods:  Pending → Running+Ready, Job pods → Succeeded, pods labelled
//          `pod-container-running-failed.stage.kwok.x-k8s.io=true` → Failed (exit code 1), deletion.
//   except: pods labelled `bud.test/never-ready`, or whose container has the env `BUD_TEST_NEVER_READY`, are
//          never readied (they stay Pending): the rehearsal of an update that never becomes ready;
//          Job pods labelled `bud.test/never-completes`, or whose container has the env
//          `BUD_TEST_NEVER_COMPLETES`, keep running (a batch job that holds its GPUs, e.g. its quota in Kueue).
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { moduleDir } from './go-modules';
import { cacheDir, KWOK_VERSION } from './layout';

const STAGES = [
  'node/fast/node-initialize.yaml',
  'node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
  'pod/fast/pod-ready.yaml',
  'pod/fast/pod-complete.yaml',
  'pod/fast/pod-delete.yaml',
  'pod/chaos/pod-container-running-failed.yaml',
];

/** The label that makes kwok fail a running pod (kwok's own chaos stage). */
export const FAIL_POD_LABEL = 'pod-container-running-failed.stage.kwok.x-k8s.io';
/** Pods with this label stay Pending and unready (kwok's pod-ready stage skips them). */
export const NEVER_READY_LABEL = 'bud.test/never-ready';
/** Pods whose container has this env var stay Pending and unready: a spec change, so a rollback undoes it. */
export const NEVER_READY_ENV = 'BUD_TEST_NEVER_READY';
/** Job pods with this label keep running (kwok's pod-complete stage skips them). */
export const NEVER_COMPLETES_LABEL = 'bud.test/never-completes';
/** Job pods whose container has this env var keep running: a spec change, like NEVER_READY_ENV. */
export const NEVER_COMPLETES_ENV = 'BUD_TEST_NEVER_COMPLETES';
/** Nodes kwok manages carry this annotation. */
export const FAKE_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

const POD_READY_STAGE = 'pod/fast/pod-ready.yaml';
const POD_COMPLETE_STAGE = 'pod/fast/pod-complete.yaml';
const SELECTOR_START = '  selector:\n    matchExpressions:\n';

/** A stage with two more selector terms that leave pods with `label` or a container env `env` alone. */
function skippingPods(stage: string, stageName: string, label: string, env: string): string {
  if (!stage.includes(`name: ${stageName}`) || stage.split(SELECTOR_START).length !== 2)
    throw new Error(`kwok's ${stageName} stage changed shape; cannot add the ${label} selector`);
  const terms = [
    `    - key: '.metadata.labels["${label}"]'`,
    `      operator: 'DoesNotExist'`,
    // `// []`: a container without env must not make the query fail (a failing query never matches).
    `    - key: '.spec.containers.[] | (.env // []) | .[] | select(.name == "${env}") | .value'`,
    `      operator: 'DoesNotExist'`,
  ];
  return stage.replace(SELECTOR_START, `${SELECTOR_START}${terms.join('\n')}\n`);
}

/** kwok's pod-ready stage, with two more selector terms that leave the never-ready pods alone. */
export function withNeverReadyPods(stage: string): string {
  return skippingPods(stage, 'pod-ready', NEVER_READY_LABEL, NEVER_READY_ENV);
}

/** kwok's pod-complete stage, with two more selector terms that leave the never-completing Job pods running. */
export function withNeverCompletingPods(stage: string): string {
  return skippingPods(stage, 'pod-complete', NEVER_COMPLETES_LABEL, NEVER_COMPLETES_ENV);
}

function stagesDir(): string {
  return join(cacheDir, `kwok-stages-${KWOK_VERSION}`);
}

/** Copies the stage files out of the kwok module once per version. */
export function ensureStages(): void {
  const dir = stagesDir();
  if (STAGES.every((stage) => existsSync(join(dir, stage.replace(/\//g, '_'))))) return;
  const source = join(moduleDir('sigs.k8s.io/kwok', KWOK_VERSION), 'kustomize', 'stage');
  mkdirSync(dir, { recursive: true });
  for (const stage of STAGES) copyFileSync(join(source, stage), join(dir, stage.replace(/\//g, '_')));
}

/** One multi-document YAML: kwok's options and every stage. */
export function kwokConfigYaml(): string {
  ensureStages();
  const options = [
    'apiVersion: config.kwok.x-k8s.io/v1alpha1',
    'kind: KwokConfiguration',
    'options:',
    '  manageAllNodes: false',
    `  manageNodesWithAnnotationSelector: ${FAKE_NODE_ANNOTATION}=fake`,
    '  nodeLeaseDurationSeconds: 40',
    // A config file's options are not defaulted: every parallelism must be given.
    '  nodeLeaseParallelism: 4',
    '  nodePlayStageParallelism: 4',
    '  podPlayStageParallelism: 16',
    '  podsOnNodeSyncParallelism: 1',
    // Pods need addresses to become Service endpoints (EndpointSlices list only pods with an IP); the nodes have
    // no podCIDR (no node IPAM runs), so every pod draws from this one pool.
    '  cidr: 10.244.0.0/16',
  ].join('\n');
  const stages = STAGES.map((stage) => {
    const text = readFileSync(join(stagesDir(), stage.replace(/\//g, '_')), 'utf8').trim();
    if (stage === POD_READY_STAGE) return withNeverReadyPods(text);
    return stage === POD_COMPLETE_STAGE ? withNeverCompletingPods(text) : text;
  });
  return [options, ...stages].join('\n---\n') + '\n';
}
