import fc from 'fast-check';
import { BudclusterModel, isActive } from './budcluster-model';
import { UsecasesModel } from './usecases-model';

/**
 * Issue 16, as a property: whatever interleaving of API actions, job events (late, duplicated,
 * reordered), admit delays, driver faults and reconciler crashes, once the world quiets down a deployment
 * that wants to be stopped is stopped with no live job, a deleted one is gone with no live job, and a
 * running one is settled and holds no job it does not know of.
 */
type Command =
  | { kind: 'stop' | 'delete' | 'start' | 'crash' | 'tick' | 'settle' }
  | { kind: 'update' | 'retry'; pick: number }
  | { kind: 'deliver'; pick: number; again: boolean }
  | { kind: 'reconcile'; pick: number }
  | { kind: 'fault'; pick: number; choice: number };

const pick = fc.nat({ max: 1000 });
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom<Command>({ kind: 'stop' }, { kind: 'delete' }, { kind: 'start' }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('update' as const, 'retry' as const), pick }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('deliver' as const), pick, again: fc.boolean() }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('reconcile' as const), pick }) },
  { weight: 3, arbitrary: fc.constant<Command>({ kind: 'tick' }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fault' as const), pick, choice: pick }) },
  { weight: 1, arbitrary: fc.constant<Command>({ kind: 'crash' }) },
  // Time passes until everything is quiet: the next commands hit a deployment at rest (running, failed, stopped).
  { weight: 1, arbitrary: fc.constant<Command>({ kind: 'settle' }) },
);

const QUIESCE_CYCLES = 500;

function run(world: { cluster: BudclusterModel; usecases: UsecasesModel }, c: Command): void {
  const { cluster, usecases } = world;
  switch (c.kind) {
    case 'stop':
      usecases.stop();
      return;
    case 'delete':
      usecases.delete();
      return;
    case 'start':
      usecases.start();
      return;
    case 'update':
      usecases.update(c.pick);
      return;
    case 'retry':
      usecases.retry(c.pick);
      return;
    case 'deliver': {
      if (cluster.events.length === 0) return;
      const index = c.pick % cluster.events.length;
      const event = cluster.events[index];
      // Kept in the queue, the same event is delivered again later: a duplicate.
      if (!c.again) cluster.events.splice(index, 1);
      usecases.deliver(event);
      return;
    }
    case 'reconcile':
      usecases.reconcileStep(c.pick, false);
      return;
    case 'tick':
      cluster.tick();
      return;
    case 'fault':
      cluster.fault(c.pick, c.choice);
      return;
    case 'crash':
      usecases.crash();
      return;
    case 'settle':
      quiesce(world);
      return;
    default: {
      const unreachable: never = c;
      throw new Error(`unknown command ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * No more faults or API calls: deliver what is queued, run the reconciler (woken, or found by its periodic
 * tick) until idle, step the driver; quiet once a whole cycle changes nothing.
 */
function quiesce(world: { cluster: BudclusterModel; usecases: UsecasesModel }): void {
  const { cluster, usecases } = world;
  const fingerprint = () => JSON.stringify([usecases.deployment, cluster.list(), cluster.events.length]);
  for (let cycle = 0; cycle < QUIESCE_CYCLES; cycle++) {
    const before = fingerprint();
    for (let event = cluster.events.shift(); event; event = cluster.events.shift()) usecases.deliver(event);
    for (let step = 0; step < QUIESCE_CYCLES && usecases.reconcileStep(step, step === 0); step++);
    cluster.tick();
    if (fingerprint() === before && cluster.events.length === 0 && !usecases.busy) return;
  }
  throw new Error(
    `no quiescence after ${QUIESCE_CYCLES} cycles: ${JSON.stringify(usecases.deployment)} jobs ${JSON.stringify(cluster.list())}`,
  );
}

describe('stop and delete converge, whatever the interleaving (model of budusecases over the pure deployment logic)', () => {
  it('ends every run stopped, running or failed, or gone, with no live job left for a deployment that does not want it', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('stop' as const, 'rollback' as const),
        fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 8 }),
        fc.array(command, { minLength: 10, maxLength: 80, size: 'max' }),
        (onFailure, delays, commands) => {
          let nth = 0;
          const cluster = new BudclusterModel(() => delays[nth++ % delays.length]);
          const world = { cluster, usecases: new UsecasesModel(cluster, onFailure) };
          for (const c of commands) run(world, c);
          quiesce(world);

          const d = world.usecases.deployment;
          const live = cluster.list().filter((j) => isActive(j.status));
          if (d === null || d.desired !== 'running') {
            expect(live.map((j) => `${j.componentId}#${j.run}.${j.revision}:${j.status}`)).toEqual([]);
          }
          if (d === null) return;
          expect(d.desired).not.toBe('deleted');
          const settled = d.desired === 'stopped' ? ['stopped'] : ['running', 'failed'];
          expect(settled).toContain(d.status);
          // A running deployment holds only the jobs its components record: nothing left behind by a start or an update.
          const recorded = new Set(d.components.map((c) => c.jobId));
          // Issue 10: a running deployment runs its latest plan, every job patched to it in place and rolled out.
          if (d.status === 'running') {
            for (const c of d.components) {
              if (c.status === 'skipped') {
                expect([c.id, c.removed, c.jobId]).toEqual([c.id, true, null]);
                continue;
              }
              expect([c.id, c.status, c.appliedHash]).toEqual([c.id, 'running', c.desiredHash]);
              const job = cluster.get(c.jobId!);
              expect(job && [job.specHash, job.observedGeneration]).toEqual([c.desiredHash, job?.generation]);
            }
          }
          expect(live.filter((j) => !recorded.has(j.id)).map((j) => `${j.componentId}#${j.run}.${j.revision}:${j.status}`)).toEqual([]);
        },
      ),
      { numRuns: 500, seed: 16 },
    );
  });
});
