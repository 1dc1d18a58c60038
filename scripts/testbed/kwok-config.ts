// kwok's configuration: the stages it plays on fake nodes and their pods, taken from the kwok module itself.
//   nodes: initialize to Ready, heartbeat through leases;
//   pods:  Pending → Running+Ready, Job pods → Succeeded, pods labelled
//          `pod-container-running-failed.stage.kwok.x-k8s.io=true` → Failed (exit code 1), deletion.
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
/** Nodes kwok manages carry this annotation. */
export const FAKE_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

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
  ].join('\n');
  const stages = STAGES.map((stage) => readFileSync(join(stagesDir(), stage.replace(/\//g, '_')), 'utf8').trim());
  return [options, ...stages].join('\n---\n') + '\n';
}
