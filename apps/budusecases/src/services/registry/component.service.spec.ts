import type { ComponentDefinition } from '@bud/contracts';
import { ManualClock } from '@bud/testing';
import type { ComponentRecord } from '../../entities/records';
import type { ComponentRepository } from '../../repositories/component.repository';
import type { TemplateRepository } from '../../repositories/template.repository';
import { ComponentService } from './component.service';

function activeComponent(id: string): ComponentRecord {
  const at = new Date(0);
  return {
    id,
    definition: { id } as unknown as ComponentDefinition,
    name: id,
    category: 'llm',
    deploymentType: 'helm',
    tags: [],
    version: '1.0.0',
    isActive: true,
    createdAt: at,
    updatedAt: at,
    revision: 1,
  };
}

/** Another replica's writes land in the table; this process learns of them only by reading it again. */
function registryWith(rows: ComponentRecord[]): { service: ComponentService; clock: ManualClock; reads: () => number } {
  let reads = 0;
  const repository = {
    listActive: () => {
      reads += 1;
      return Promise.resolve([...rows]);
    },
  } as unknown as ComponentRepository;
  const clock = new ManualClock(1_000_000);
  return { service: new ComponentService(repository, {} as TemplateRepository, clock), clock, reads: () => reads };
}

describe('ComponentService.activeRegistry', () => {
  it("serves the cached registry until it has lived 5 s on the injected clock, then reads another replica's change", async () => {
    const rows = [activeComponent('vllm')];
    const { service, clock, reads } = registryWith(rows);
    expect([...(await service.activeRegistry()).keys()]).toEqual(['vllm']);

    rows.push(activeComponent('qdrant'));
    await clock.advance(4999);
    expect([...(await service.activeRegistry()).keys()]).toEqual(['vllm']);
    expect(reads()).toBe(1);

    await clock.advance(1);
    expect([...(await service.activeRegistry()).keys()]).toEqual(['vllm', 'qdrant']);
    expect(reads()).toBe(2);
  });
});
