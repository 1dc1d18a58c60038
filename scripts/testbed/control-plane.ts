// `up` and `down` of one local control plane: etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler and kwok, on free loopback ports, with state in .testbed/run/; unless TESTBED_KUEUE=0 also
// Kueue's controller manager (kueue.ts).
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createFakeNodes, createVolumePool, installFluxCrds, kubeConfigFrom, waitForDefaultServiceAccount } from './cluster-setup';
import { binary, buildAll } from './go-build';
import { activateKueueWebhooks, kueueRequested, prepareKueue } from './kueue';
import { kwokConfigYaml } from './kwok-config';
import { KUEUE_VERSION, paths, runDir, type TestbedState } from './layout';
import { createPki, kubeconfigYaml } from './pki';
import { isAlive, logTail, startProcess, stopAll, stopOne, waitFor } from './processes';
import { progress } from './progress';

const ORDER = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'kueue'];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    httpGet(url, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    }).on('error', () => resolve(false));
  });
}

/** GET <server>/readyz with the kubeconfig's CA and token. */
function apiserverReady(server: string): Promise<boolean> {
  const kubeconfig = readFileSync(paths.kubeconfig, 'utf8');
  const ca = Buffer.from(/certificate-authority-data: (\S+)/.exec(kubeconfig)?.[1] ?? '', 'base64');
  const token = /token: (\S+)/.exec(kubeconfig)?.[1] ?? '';
  return new Promise((resolve) => {
    httpsGet(`${server}/readyz`, { ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    }).on('error', () => resolve(false));
  });
}

/** The running control plane, if its state file names live processes. */
export function runningState(): TestbedState | undefined {
  if (!existsSync(paths.state)) return undefined;
  const state = JSON.parse(readFileSync(paths.state, 'utf8')) as TestbedState;
  return Object.values(state.pids).every(isAlive) ? state : undefined;
}

/**
 * Starts the control plane, or finds it running. Unless TESTBED_KUEUE=0 (kueueRequested()) it runs Kueue too,
 * added to a running test bed that has none; without it no Kueue CRD is installed (a running test bed that
 * has Kueue keeps it).
 */
export async function up(): Promise<TestbedState> {
  const withKueue = kueueRequested();
  await buildAll({ only: ['etcd', 'kubernetes', 'kwok', ...(withKueue ? ['kueue'] : [])] });
  const running = runningState();
  if (running) {
    progress('up', `already running: ${running.apiserverUrl} (kubeconfig ${running.kubeconfig})${running.kueue ? ', with Kueue' : ''}`);
    return withKueue && !running.kueue ? addKueue(running) : running;
  }
  await stopAll(ORDER);
  rmSync(runDir, { recursive: true, force: true });
  rmSync(paths.etcdData, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  const started = Date.now();
  const pki = createPki();
  const [etcdPort, etcdPeerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  const apiserverUrl = `https://127.0.0.1:${apiPort}`;
  const pids: Record<string, number> = {};
  const commands: TestbedState['commands'] = {};
  const start = (name: string, args: string[]): number => {
    commands[name] = { binary: binary(name), args };
    pids[name] = startProcess(name, binary(name), args);
    return pids[name];
  };

  const peer = `http://127.0.0.1:${etcdPeerPort}`;
  start('etcd', [
    '--name=testbed',
    `--data-dir=${paths.etcdData}`,
    `--listen-client-urls=${etcdUrl}`,
    `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=testbed=${peer}`,
    '--listen-metrics-urls=',
    // A throwaway store: durability buys nothing here, and fsync on a shared disk costs a lot.
    '--unsafe-no-fsync',
    '--quota-backend-bytes=4294967296',
    '--log-level=warn',
  ]);
  await waitFor('etcd', pids.etcd, () => httpOk(`${etcdUrl}/health`), 30_000);
  progress('up', `etcd ready on ${etcdUrl}`);

  start('kube-apiserver', [
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    // Loopback may not be advertised through the default `kubernetes` Service endpoints; nothing in-cluster needs them.
    '--endpoint-reconciler-type=none',
    `--secure-port=${apiPort}`,
    // No --tls-cert-file: the server writes a self-signed CA and a serving certificate for 127.0.0.1 here.
    `--cert-dir=${pki.certDir}`,
    `--token-auth-file=${pki.tokenFile}`,
    '--authorization-mode=Node,RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    '--service-cluster-ip-range=10.96.0.0/16',
    '--max-requests-inflight=1000',
    '--max-mutating-requests-inflight=500',
    '--profiling=false',
    '--v=1',
  ]);
  await waitFor('kube-apiserver', pids['kube-apiserver'], async () => existsSync(pki.serverCert), 60_000);
  const kubeconfig = kubeconfigYaml(apiserverUrl, pki);
  writeFileSync(paths.kubeconfig, kubeconfig, { mode: 0o600 });
  await waitFor('kube-apiserver', pids['kube-apiserver'], () => apiserverReady(apiserverUrl), 120_000);
  progress('up', `kube-apiserver ready on ${apiserverUrl} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

  start('kube-controller-manager', [
    `--kubeconfig=${paths.kubeconfig}`,
    '--leader-elect=false',
    '--secure-port=0',
    `--service-account-private-key-file=${pki.serviceAccountKey}`,
    `--root-ca-file=${pki.serverCert}`,
    '--use-service-account-credentials=false',
    // No kubelets attach volumes and no pod network needs node CIDRs.
    '--controllers=*,-node-ipam-controller,-persistentvolume-attach-detach-controller',
    '--kube-api-qps=500',
    '--kube-api-burst=1000',
    '--concurrent-deployment-syncs=20',
    '--concurrent-replicaset-syncs=20',
    '--concurrent-job-syncs=20',
    '--v=1',
  ]);
  // The default 50 QPS would cap scheduling at a few dozen pods a second.
  start('kube-scheduler', [
    `--kubeconfig=${paths.kubeconfig}`,
    '--leader-elect=false',
    '--secure-port=0',
    '--kube-api-qps=500',
    '--kube-api-burst=1000',
    '--v=1',
  ]);
  const kwokConfig = join(runDir, 'kwok.yaml');
  writeFileSync(kwokConfig, kwokConfigYaml());
  start('kwok', [`--kubeconfig=${paths.kubeconfig}`, `--config=${kwokConfig}`, '--v=1']);

  const state: TestbedState = { kubeconfig: paths.kubeconfig, apiserverUrl, etcdUrl, startedAt: new Date().toISOString(), pids, commands };
  writeFileSync(paths.state, JSON.stringify(state, null, 2));

  const config = kubeConfigFrom(kubeconfig);
  try {
    await installFluxCrds(config);
    await createFakeNodes(config);
    await createVolumePool(config);
    await waitForDefaultServiceAccount(config);
  } catch (err) {
    throw new Error(`${(err as Error).message}${deadProcesses(pids)}`);
  }
  progress('up', `control plane up in ${((Date.now() - started) / 1000).toFixed(1)} s; kubeconfig: ${paths.kubeconfig}`);
  return withKueue ? addKueue(state) : state;
}

/**
 * Adds Kueue to a running control plane: its CRDs, its controller manager (one more program of state.json,
 * so stop/start/restart('kueue') work) and its webhook configurations; returns once its webhooks answer.
 */
export async function addKueue(state: TestbedState): Promise<TestbedState> {
  await buildAll({ only: ['kueue'] });
  const started = Date.now();
  const config = kubeConfigFrom(readFileSync(state.kubeconfig, 'utf8'));
  const ports = { webhookPort: await freePort(), healthPort: await freePort(), metricsPort: await freePort() };
  const prepared = await prepareKueue(config, state.kubeconfig, ports);
  state.commands.kueue = { binary: binary('kueue'), args: prepared.args, env: prepared.env };
  const pid = startProcess('kueue', binary('kueue'), prepared.args, prepared.env);
  state.pids.kueue = pid;
  state.kueue = { version: KUEUE_VERSION, ...ports };
  writeFileSync(paths.state, JSON.stringify(state, null, 2));
  await waitFor('kueue', pid, () => httpOk(`http://127.0.0.1:${ports.healthPort}/readyz`), 120_000);
  try {
    await activateKueueWebhooks(config, ports, () => isAlive(pid));
  } catch (err) {
    throw new Error(`${(err as Error).message}${deadProcesses(state.pids)}\nkueue's last log lines:\n${logTail('kueue', 10)}`);
  }
  progress(
    'up',
    `Kueue ${KUEUE_VERSION} ready in ${((Date.now() - started) / 1000).toFixed(1)} s: webhooks on https://127.0.0.1:${ports.webhookPort}, health :${ports.healthPort}, metrics :${ports.metricsPort}`,
  );
  return state;
}

/** Log tails of the programs that died, to explain a set-up step that never finished. */
function deadProcesses(pids: Record<string, number>): string {
  const dead = Object.entries(pids).filter(([, pid]) => !isAlive(pid));
  return dead.map(([name]) => `\n${name} exited; last log lines:\n${logTail(name, 5)}`).join('');
}

/** The test bed's state file, even while one of its programs is stopped (runningState() then answers undefined). */
function recordedState(): TestbedState {
  if (!existsSync(paths.state)) throw new Error('the test bed is not running');
  return JSON.parse(readFileSync(paths.state, 'utf8')) as TestbedState;
}

function commandOf(state: TestbedState, name: string): TestbedState['commands'][string] {
  const command = state.commands[name];
  if (!command) throw new Error(`no program ${name} in the test bed`);
  return command;
}

/**
 * Stops one program of the running control plane (e.g. kube-apiserver, to make the cluster unreachable); start(name) brings it back.
 * Stopping kueue leaves its webhook configurations in place: Pod, Deployment and Job writes then fail, as on a cluster whose Kueue is down.
 */
export async function stop(name: string): Promise<void> {
  commandOf(recordedState(), name);
  await stopOne(name);
}

/** Starts one stopped program again with the command it was started with; for the API server, waits until it is ready. */
export async function start(name: string): Promise<void> {
  const state = recordedState();
  const command = commandOf(state, name);
  const running = state.pids[name];
  if (running !== undefined && isAlive(running)) throw new Error(`${name} is running (pid ${running})`);
  const pid = startProcess(name, command.binary, command.args, command.env);
  state.pids[name] = pid;
  writeFileSync(paths.state, JSON.stringify(state, null, 2));
  if (name === 'kube-apiserver') await waitFor(name, pid, () => apiserverReady(state.apiserverUrl), 120_000);
  const kueue = state.kueue;
  if (name === 'kueue' && kueue) {
    await waitFor(name, pid, () => httpOk(`http://127.0.0.1:${kueue.healthPort}/readyz`), 120_000);
    // Ready is not yet answering: until its webhooks answer, Job, Deployment and Pod writes are refused.
    await activateKueueWebhooks(kubeConfigFrom(readFileSync(state.kubeconfig, 'utf8')), kueue, () => isAlive(pid));
  }
  progress('start', `${name} started (pid ${pid})`);
  // Observed here: after the API server was stopped and started, Kueue v0.17 ignored Jobs in namespaces made afterwards
  // for more than 90 s (its caches came back late), so the next suite's jobs stayed suspended. Kueue is restarted with
  // the API server (~3 s), as a cluster's Kueue would be rescheduled after a control-plane outage.
  const kueuePid = state.pids.kueue;
  if (name === 'kube-apiserver' && kueue && kueuePid !== undefined && isAlive(kueuePid)) await restart('kueue');
}

/**
 * Stops one program of the running control plane and starts it again with the same command; for the
 * API server, waits until it is ready. Its clients' watches break, as in an API server rollout.
 */
export async function restart(name: string): Promise<void> {
  if (!runningState()) throw new Error('the test bed is not running');
  await stop(name);
  await start(name);
}

export async function down(): Promise<void> {
  await stopAll(ORDER);
  rmSync(runDir, { recursive: true, force: true });
  rmSync(paths.etcdData, { recursive: true, force: true });
  progress('down', 'control plane stopped');
}
