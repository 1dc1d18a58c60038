/** @jest-environment jsdom */
import { render, screen } from '@testing-library/react';
import { ContractChecks } from './ContractChecks';
import { stubMatchMedia } from '../../test/support/match-media';

beforeAll(() => {
  stubMatchMedia();
});

describe('ContractChecks', () => {
  it('lists each passed check with its component, and the checks that could not run with their paths', () => {
    const { container } = render(
      <ContractChecks
        plan={{
          checks: [
            { component: 'llm', check: 'gpu_memory', message: 'needs 17.1 GB; 1 × A100-80GB give 72.0 GB at 90% use' },
            { component: 'orchestrator', check: 'embedding_dimension', message: 'BAAI/bge-base-en-v1.5 returns 768-dimensional vectors' },
          ],
          warnings: [
            { component: 'llm', check: 'gpu_memory', path: 'components[3].model_id', message: 'model x/y is not in the model catalog' },
          ],
        }}
      />,
    );
    const items = [...container.querySelectorAll('[data-check]')];
    expect(items.map((i) => [i.getAttribute('data-component'), i.getAttribute('data-check'), i.textContent])).toEqual([
      ['llm', 'gpu_memory', 'gpu memory llm: needs 17.1 GB; 1 × A100-80GB give 72.0 GB at 90% use'],
      ['orchestrator', 'embedding_dimension', 'embedding dimension orchestrator: BAAI/bge-base-en-v1.5 returns 768-dimensional vectors'],
    ]);
    expect(screen.getByText('1 contract check could not run')).toBeTruthy();
    expect(container.querySelector('[data-warning-path="components[3].model_id"]')?.textContent).toBe(
      'llm: model x/y is not in the model catalog',
    );
  });

  it('renders nothing for a plan without contract checks', () => {
    const { container } = render(<ContractChecks plan={{}} />);
    expect(container.querySelector('[data-testid="contract-checks"]')).toBeNull();
  });
});
