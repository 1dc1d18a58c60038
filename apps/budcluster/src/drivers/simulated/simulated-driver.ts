import { randomUUID } from 'node:crypto';
import type { ClusterIsolation, SimulatedSettings } from '@bud/contracts';
import { Logger } from '@bud/logging';
import type { Clock } from '@bud/ports';
import type { JobModel, ObservedHealth, ObservedRollout, ObservedStatus, VolumeModel } from '../../domain/job-model';
import { fileKey, filesObjectName, jobFiles, renderManifests, serviceOutputs } from '../../domain/manifests';
import type { KubernetesObject } from '../../domain/manifests';
import { jobClaims } from '../../domain/manifests/volumes';
import type { ManagedNamespace } from '../../domain/namespace-model';
import type { ClusterDriver, StatusSink } from '../cluster-driver';
import { gpuFlavorName } from '../../domain/admission/flavors';
import type { Admission, Preemption, QueueStanding } from '../../domain/admission/admission-model';
import type { ClusterQuotas } from '../../domain/quota-model';
import { SimulatedQueue, workloadNameOf } from './simulated-queue';
import { faultFor, faultStateAt, replicasOnlyChange } from './simulated-faults';
import { SimulatedNamespaces } from './simulated-namespaces';
import type { SimulatedNamespace } from './simulated-namespaces';

/** A file as the job's pods see it (docs/design.md#files); a secret file's content stays sealed here. */
export interface SimulatedFile {
  path: string;
  mode: string;
  from: 'ConfigMap' | 'Secret';
  object: string;
  key: string;
  content?: string;
}

interface Placement {
  job: JobModel;
  /** Kueue's name for the job's Workload. */
  workloadName: string;
  timer?: unknown;
  lastReported?: ObservedStatus;
  /** Since when the pods are ready (the job reported running), on the clock. */
  runningSince?: number;
  /** The fault that applies and since when (docs/design.md#simulated-faults); a new fault starts counting at its evaluation. */
  fault?: { key: string; since: number };
  healthTimer?: unknown;
  /** A newer generation rolls out and is not ready yet. */
  rollingOut?: boolean;
  /** Admitted, but its pods never became ready (never_ready); a newer generation tries again. */
  stuck?: boolean;
}

/**
 * An in-process cluster (docs/design.md#drivers): takes the same rendered objects as Kubernetes, checks them, and
 * moves jobs through queued → admitted → running (→ succeeded/failed) on the injected clock.
 */
export class SimulatedDriver implements ClusterDriver {
  readonly apiCalls = 0;
  private readonly logger = new Logger('simulated-driver');
  private readonly placements = new Map<string, Placement>();
  private readonly reportChains = new Map<string, Promise<void>>();
  /** Quotas, queues and admission under the same rules as Kueue's (docs/design.md#quotas). */
  private readonly queue: SimulatedQueue;
  /** Claims by `namespace/claimName` → uid: apply creates absent ones, remove keeps them (docs/design.md#volumes). */
  private readonly claims = new Map<string, string>();
  /** Each placed job's mounted files, from the objects rendered for its current generation. */
  private readonly mounted = new Map<string, SimulatedFile[]>();
  /** Namespaces deleted through deleteNamespace, in order (for tests). */
  readonly deletedNamespaces: string[] = [];
  private readonly namespaces: SimulatedNamespaces;
  private sink: StatusSink = async () => undefined;

  constructor(
    private readonly clusterId: string,
    private settings: SimulatedSettings,
    private readonly clock: Clock,
    private readonly random: () => number = Math.random,
    isolation?: ClusterIsolation,
  ) {
    this.queue = new SimulatedQueue(settings.gpu_capacity);
    this.namespaces = new SimulatedNamespaces(isolation);
  }

  async start(sink: StatusSink): Promise<void> {
    this.sink = sink;
  }

  async stop(): Promise<void> {
    for (const placement of this.placements.values()) {
      this.clock.clearTimeout(placement.timer);
      this.clock.clearTimeout(placement.healthTimer);
    }
    for (const jobId of this.placements.keys()) this.queue.forget(jobId);
    this.placements.clear();
    await Promise.all(this.reportChains.values());
  }

  /** New settings; running jobs see changed faults at once (docs/design.md#simulated-faults). */
  updateSettings(settings: SimulatedSettings): void {
    this.settings = settings;
    this.queue.setInventory(settings.gpu_capacity);
    this.schedule();
    for (const placement of this.placements.values())
      if (placement.runningSince !== undefined && !placement.rollingOut) this.evaluate(placement);
  }

  /** The uid of a claim the cluster holds, or undefined. */
  claimUid(namespace: string, claimName: string): string | undefined {
    return this.claims.get(`${namespace}/${claimName}`);
  }

  async deleteVolume(volume: VolumeModel): Promise<void> {
    this.claims.delete(`${volume.namespace}/${volume.claimName}`);
  }

  /** Records the namespace's rendered objects as the kubernetes driver applies them; refuses another tenant's or an unmanaged one. */
  async ensureNamespace(namespace: ManagedNamespace): Promise<void> {
    this.namespaces.ensure(namespace);
  }

  /** The namespace as the cluster holds it, or undefined (for tests and the dev UI). */
  namespace(name: string): SimulatedNamespace | undefined {
    return this.namespaces.get(name);
  }

  /** How many times the namespaces were ensured, i.e. the cluster calls a real cluster would have answered. */
  get namespaceEnsures(): number {
    return this.namespaces.ensureCalls;
  }

  /** The cluster's quotas (docs/design.md#quotas): queued work is admitted under them at once; nothing admitted is evicted for them. */
  updateQuotas(quotas: ClusterQuotas): void {
    this.queue.setQuotas(quotas);
    this.schedule();
  }

  async deleteNamespace(namespace: string): Promise<void> {
    if (!this.namespaces.delete(namespace)) return;
    for (const key of [...this.claims.keys()]) if (key.startsWith(`${namespace}/`)) this.claims.delete(key);
    this.deletedNamespaces.push(namespace);
  }

  async apply(job: JobModel): Promise<void> {
    const placed = this.placements.get(job.id);
    if (placed) {
      if (job.generation > placed.job.generation) this.updateInPlace(placed, job);
      else if (job.priorityClass !== placed.job.priorityClass) this.reprioritize(placed, job);
      return;
    }
    this.checkObjects(job);
    this.namespaces.ensureForJob(job);
    this.createClaims(job);
    this.placements.set(job.id, { job, workloadName: workloadNameOf(job) });
    if (job.status === 'admitted' || job.status === 'running') {
      // It held quota before this driver started: it keeps it, whatever the quota says now.
      this.queue.restore(job, this.clock.now());
      const product = job.resources.gpu_count > 0 ? (job.resources.gpu_type ?? null) : null;
      this.admit({ workloadId: job.id, flavor: product ? gpuFlavorName(product) : 'default', borrowed: 0 });
    } else {
      // A job that waited before a restart keeps its place: it queues from when it was queued, not from now.
      const queuedAt = job.status === 'queued' && job.queuedAt != null ? Math.min(job.queuedAt, this.clock.now()) : this.clock.now();
      this.queue.enqueue(job, queuedAt);
    }
    this.schedule();
  }

  async remove(job: JobModel): Promise<void> {
    this.release(job.id);
  }

  async reconcile(activeJobs: JobModel[]): Promise<void> {
    const active = new Set(activeJobs.map((job) => job.id));
    for (const id of [...this.placements.keys()]) if (!active.has(id)) this.release(id);
    // Work that held quota before (a restart) is placed first, so it holds it again before waiting work is admitted.
    const held = (job: JobModel) => (job.status === 'admitted' || job.status === 'running' ? 0 : 1);
    for (const job of [...activeJobs].sort((a, b) => held(a) - held(b))) {
      const placement = this.placements.get(job.id);
      if (!placement || job.generation > placement.job.generation || job.priorityClass !== placement.job.priorityClass)
        await this.apply(job);
      // A report lost while the database was down is repeated, so the job row catches up.
      else if (placement.lastReported && placement.lastReported.status !== job.status) this.report(placement.lastReported);
    }
  }

  /** The files a placed job's pods mount, as rendered for its latest applied generation (for tests and the dev UI). */
  mountedFiles(jobId: string): SimulatedFile[] {
    return this.mounted.get(jobId) ?? [];
  }

  private checkObjects(job: JobModel): void {
    const objects = renderManifests(job, { kueue: false });
    for (const object of objects) {
      // Claims outlive the job, so they carry their own name instead of the job id (docs/design.md#volumes).
      const owner =
        object.kind === 'PersistentVolumeClaim' ? object.metadata?.labels?.['bud.ai/volume'] : object.metadata?.labels?.['bud.ai/job-id'];
      const expected = object.kind === 'PersistentVolumeClaim' ? object.metadata?.name : job.id;
      if (!object.apiVersion || !object.kind || !object.metadata?.name || owner !== expected) {
        throw new Error(`rendered ${object.kind ?? 'object'} for job ${job.id} is incomplete`);
      }
    }
    this.recordFiles(job, objects);
  }

  private recordFiles(job: JobModel, objects: readonly KubernetesObject[]): void {
    const name = filesObjectName(job);
    const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name);
    const data = configMap && 'data' in configMap ? configMap.data : {};
    const files = jobFiles(job).map((f, k): SimulatedFile => {
      const key = fileKey(f, k);
      const from = f.secret ? 'Secret' : 'ConfigMap';
      return { path: f.path, mode: f.mode, from, object: name, key, ...(f.secret ? {} : { content: data[key] ?? '' }) };
    });
    if (files.length > 0) this.mounted.set(job.id, files);
    else this.mounted.delete(job.id);
  }

  /** One admission step (docs/design.md#quotas): victims are preempted and queued again, admitted work starts, the rest reports where it stands. */
  private schedule(): void {
    const result = this.queue.step(this.clock.now());
    for (const preemption of result.preempt) this.preempt(preemption);
    for (const admission of result.admit) this.admit(admission);
    for (const [jobId, standing] of result.positions) this.reportStanding(jobId, standing);
  }

  /** A priority change moves a waiting job in its queue (an admitted one keeps its place and may now preempt or be preempted). */
  private reprioritize(placement: Placement, job: JobModel): void {
    placement.job = { ...placement.job, priorityClass: job.priorityClass };
    this.queue.update(placement.job);
    this.schedule();
  }

  private preempt({ victimId, message }: Preemption): void {
    const placement = this.placements.get(victimId);
    if (!placement) return;
    this.clock.clearTimeout(placement.timer);
    this.clock.clearTimeout(placement.healthTimer);
    Object.assign(placement, { runningSince: undefined, rollingOut: false, stuck: false, fault: undefined });
    // Admission not yet reported: the job never left the queue as far as anyone saw.
    const shown = placement.lastReported?.status;
    if (shown !== 'admitted' && shown !== 'running') return;
    this.report({ jobId: victimId, status: 'preempted', reason: 'Preempted', message, ...this.queueFields(placement, null, null) });
  }

  private reportStanding(jobId: string, standing: QueueStanding): void {
    const placement = this.placements.get(jobId);
    if (!placement) return;
    const last = placement.lastReported;
    if (last?.status === 'queued' && last.queuePosition === standing.position && last.message === standing.message) return;
    this.report({
      jobId,
      status: 'queued',
      reason: standing.reason,
      message: standing.message,
      ...this.queueFields(placement, standing.position, null),
    });
  }

  private queueFields(placement: Placement, queuePosition: number | null, admittedFlavor: string | null): Partial<ObservedStatus> {
    return { queuePosition, admittedFlavor, workloadName: placement.workloadName };
  }

  private admit({ workloadId, flavor, borrowed }: Admission): void {
    const placement = this.placements.get(workloadId);
    if (!placement) return;
    const queue = `bud-${placement.job.tenantId.replace(/-/g, '').slice(0, 12)}`;
    const message = `Quota reserved in ClusterQueue ${queue}${borrowed > 0 ? `, borrowing ${borrowed} from the cohort` : ''}`;
    placement.timer = this.clock.setTimeout(() => {
      this.report({
        jobId: workloadId,
        status: 'admitted',
        reason: 'QuotaReserved',
        message,
        ...this.queueFields(placement, null, flavor),
      });
      placement.timer = this.clock.setTimeout(() => this.becomeReady(placement), this.settings.ready_delay_ms);
    }, this.settings.admit_delay_ms);
  }

  private becomeReady(placement: Placement): void {
    const { job } = placement;
    if (faultFor(job, this.settings.faults)?.kind === 'never_ready') {
      this.report({
        jobId: job.id,
        status: 'admitted',
        reason: 'QuotaReserved',
        health: this.notReady(job),
        rollout: this.rollout(job, false),
      });
      placement.stuck = true;
      return;
    }
    placement.stuck = false;
    if (this.shouldFail(job)) {
      this.report({ jobId: job.id, status: 'failed', reason: 'SimulatedFailure', message: 'the simulated cluster failed this workload' });
      this.release(job.id);
      return;
    }
    placement.runningSince = this.clock.now();
    if (job.jobType === 'service') {
      this.report({ jobId: job.id, status: 'running', reason: 'Available', outputs: serviceOutputs(job), ...this.healthOf(placement) });
      this.scheduleHealth(placement);
      return;
    }
    this.report({ jobId: job.id, status: 'running', reason: 'Active', ...this.healthOf(placement) });
    this.scheduleHealth(placement);
    placement.timer = this.clock.setTimeout(() => {
      this.report({ jobId: job.id, status: 'succeeded', reason: 'Complete' });
      this.release(job.id);
    }, this.settings.batch_run_ms);
  }

  /**
   * A newer generation of a placed job (docs/design.md#in-place-update): a replicas-only change is complete at once; any
   * other rolls out for ready_delay_ms (never, under a never_ready fault, so the watchdog rolls it back).
   */
  private updateInPlace(placement: Placement, job: JobModel): void {
    this.checkObjects(job);
    this.createClaims(job);
    const previous = placement.job;
    placement.job = job;
    // The new replica count or GPUs are held from now on (a rolling update may briefly need more; the simulation does not queue it);
    // a job still waiting asks for the new demand.
    this.queue.update(job);
    if (!this.queue.holdsQuota(job.id)) {
      this.schedule();
      return;
    }
    if (placement.runningSince === undefined) {
      if (placement.stuck) placement.timer = this.clock.setTimeout(() => this.becomeReady(placement), this.settings.ready_delay_ms);
      return;
    }
    this.clock.clearTimeout(placement.healthTimer);
    if (replicasOnlyChange(previous, job)) {
      placement.rollingOut = false;
      this.evaluate(placement);
      return;
    }
    placement.rollingOut = true;
    this.report({
      jobId: job.id,
      status: 'running',
      reason: 'RollingUpdate',
      health: { health: 'progressing', reason: 'RollingUpdate', message: `rolling out generation ${job.generation}` },
      rollout: { ...this.rollout(job, false), readyReplicas: Math.max(previous.resources.replicas, 1), updatedReplicas: 0 },
    });
    if (faultFor(job, this.settings.faults)?.kind === 'never_ready') return;
    placement.healthTimer = this.clock.setTimeout(() => {
      if (placement.job !== job) return;
      placement.rollingOut = false;
      placement.runningSince = this.clock.now();
      placement.fault = undefined;
      this.evaluate(placement);
    }, this.settings.ready_delay_ms);
  }

  /** Reports a running job's health and complete rollout now, and schedules its next fault change. */
  private evaluate(placement: Placement): void {
    const { job } = placement;
    const state = this.faultState(placement);
    if (state.failed) {
      this.report({
        jobId: job.id,
        status: 'failed',
        reason: 'CrashLoopBackOff',
        message: state.health.message,
        ...this.healthOf(placement),
      });
      this.release(job.id);
      return;
    }
    this.report({
      jobId: job.id,
      status: 'running',
      reason: job.jobType === 'service' ? 'Available' : 'Active',
      ...this.healthOf(placement),
    });
    this.scheduleHealth(placement);
  }

  private scheduleHealth(placement: Placement): void {
    this.clock.clearTimeout(placement.healthTimer);
    const state = this.faultState(placement);
    const next = state.failed ? this.clock.now() : state.nextChangeAt;
    if (next === null) return;
    placement.healthTimer = this.clock.setTimeout(() => this.evaluate(placement), Math.max(next - this.clock.now(), 0));
  }

  private faultState(placement: Placement): ReturnType<typeof faultStateAt> {
    const fault = faultFor(placement.job, this.settings.faults);
    const key = fault ? JSON.stringify(fault) : '';
    const now = this.clock.now();
    if (placement.fault?.key !== key) placement.fault = { key, since: Math.max(placement.runningSince ?? now, now) };
    return faultStateAt(fault, placement.job, placement.fault.since, now);
  }

  private healthOf(placement: Placement): { health: ObservedHealth; rollout: ObservedRollout } {
    const state = this.faultState(placement);
    const rollout = this.rollout(placement.job, true);
    return { health: state.health, rollout: state.health.health === 'healthy' ? rollout : { ...rollout, readyReplicas: 0 } };
  }

  private notReady(job: JobModel): ObservedHealth {
    return { health: 'progressing', reason: 'NeverReady', message: `0/${Math.max(job.resources.replicas, 1)} replicas ready` };
  }

  private rollout(job: JobModel, complete: boolean): ObservedRollout {
    const replicas = Math.max(job.resources.replicas, 1);
    return { generation: job.generation, complete, replicas, readyReplicas: complete ? replicas : 0, updatedReplicas: replicas };
  }

  private createClaims(job: JobModel): void {
    for (const claim of jobClaims(job)) {
      const key = `${job.namespace}/${claim.claimName}`;
      if (!this.claims.has(key)) this.claims.set(key, randomUUID());
    }
  }

  private shouldFail(job: JobModel): boolean {
    const image = job.spec.kind === 'container' ? job.spec.image : job.spec.kind === 'model' ? job.spec.engine : job.spec.chart_ref;
    if (this.settings.failing_images.some((pattern) => image.includes(pattern))) return true;
    return this.settings.failure_rate > 0 && this.random() < this.settings.failure_rate;
  }

  private release(jobId: string): void {
    const placement = this.placements.get(jobId);
    if (!placement) return;
    this.clock.clearTimeout(placement.timer);
    this.clock.clearTimeout(placement.healthTimer);
    this.queue.forget(jobId);
    this.placements.delete(jobId);
    this.mounted.delete(jobId);
    this.schedule();
  }

  /** Reports for one job are delivered in order; a failing sink is logged, not fatal. */
  private report(observed: ObservedStatus): void {
    const placement = this.placements.get(observed.jobId);
    if (placement) placement.lastReported = observed;
    const previous = this.reportChains.get(observed.jobId) ?? Promise.resolve();
    const next = previous
      .then(() => this.sink(observed))
      .catch((error: unknown) =>
        this.logger.warn('status report failed', { cluster_id: this.clusterId, job_id: observed.jobId, error: (error as Error).message }),
      )
      .finally(() => {
        if (this.reportChains.get(observed.jobId) === next) this.reportChains.delete(observed.jobId);
      });
    this.reportChains.set(observed.jobId, next);
  }
}
