import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshot } from '../support/browser';
import { UiPlatform } from '../support/platform';

/**
 * The web UI in a real browser (Debian's Chromium) against the real services: the flows a user
 * takes, with a screenshot of each page in test-artifacts/ui/.
 */
describe('budadmin in Chromium', () => {
  const platform = new UiPlatform();
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    await platform.start();
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await platform.stop();
  }, 60_000);
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  afterEach(() => page?.close());

  const deploymentStatus = (p: Page) => p.getByTestId('deployment-status').locator('[data-status]').getAttribute('data-status');
  const confirm = (p: Page, label: string) => p.locator('.ant-popconfirm').getByRole('button', { name: label }).click();

  it('shows the catalog, filters it and measures how soon it is usable', async () => {
    await page.goto(`${platform.url}/usecases`);
    await page.locator('[data-template="simple-rag-v1"]').waitFor();
    const usableMs = await page.evaluate(() => performance.now());
    const navigation = await page.evaluate(() => JSON.stringify(performance.getEntriesByType('navigation')[0]?.toJSON()));
    const { domContentLoadedEventEnd } = JSON.parse(navigation) as { domContentLoadedEventEnd: number };
    console.log(`ui.catalog.usable_ms ${usableMs.toFixed(0)} (DOMContentLoaded ${domContentLoadedEventEnd.toFixed(0)} ms)`);
    expect(await page.locator('[data-template]').count()).toBeGreaterThanOrEqual(5);
    await screenshot(page, 'catalog');

    await page.getByLabel('Category').click();
    await page.locator('.ant-select-item-option[title="agent"]').click();
    await page.locator('[data-template="simple-agent-v1"]').waitFor();
    expect(await page.locator('[data-template="simple-rag-v1"]').count()).toBe(0);

    await page.getByLabel('Search templates').fill('no template is called this');
    await page.getByLabel('Search templates').press('Enter');
    await page.getByText('No template matches these filters').waitFor();
  });

  it('deploys simple-rag-v1 through the wizard, watches it run, stops and deletes it', async () => {
    await page.goto(`${platform.url}/usecases`);
    await page.locator('[data-template="simple-rag-v1"]').click();
    await page.getByRole('img', { name: 'component graph' }).waitFor();
    expect(await page.locator('[data-node]').count()).toBe(4);
    await screenshot(page, 'template-detail');

    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.getByText('local', { exact: true }).click();
    await page.getByText('simulated', { exact: true }).first().waitFor();
    await screenshot(page, 'wizard-cluster');
    await page.getByRole('button', { name: 'Next' }).click();

    await page.locator('#deployment-name').fill('ui-rag');
    await page.locator('#param-model_id').fill('not a model!');
    await page.getByRole('button', { name: 'Review' }).click();
    const shown = page.getByText('LLM Model must be a model id like meta-llama/Llama-3.1-8B-Instruct');
    await shown.waitFor();
    await screenshot(page, 'wizard-invalid-parameter');
    // The message in the form is the one the server gives for the same value.
    const clusters = await platform.api('GET', '/api/v1/clusters');
    const local = clusters.body.items.find((c: { name: string }) => c.name === 'local');
    const refused = await platform.api('POST', '/api/v1/deployments?dry_run=true', {
      template_id: 'simple-rag-v1',
      name: 'x',
      cluster_id: local.id,
      parameters: { model_id: 'not a model!' },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.details).toContainEqual({
      path: 'parameters.model_id',
      message: 'must be a model id like meta-llama/Llama-3.1-8B-Instruct',
    });

    await page.locator('#param-model_id').fill('meta-llama/Llama-3.1-8B-Instruct');
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByTestId('capacity-verdict').waitFor();
    expect(await page.getByTestId('total-cost').textContent()).toMatch(/^\d+\.\d{6}$/);
    await screenshot(page, 'wizard-review');

    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.waitForURL(/\/deployments\/[0-9a-f-]{36}$/);
    await page.getByTestId('deployment-status').waitFor();
    // No reload: the status arrives over the event stream.
    await page.waitForFunction(
      () => document.querySelector('[data-testid="deployment-status"] [data-status]')?.getAttribute('data-status') === 'running',
      undefined,
      { timeout: 60_000 },
    );
    expect(await page.locator('[data-node][data-status="running"]').count()).toBe(4);
    await screenshot(page, 'deployment-running');

    await page.getByRole('button', { name: 'Stop' }).click();
    await confirm(page, 'Stop');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="deployment-status"] [data-status]')?.getAttribute('data-status') === 'stopped',
      undefined,
      { timeout: 60_000 },
    );
    expect(await deploymentStatus(page)).toBe('stopped');

    await page.goto(`${platform.url}/deployments`);
    await page.getByRole('link', { name: 'ui-rag' }).waitFor();
    await screenshot(page, 'deployments');
    await page.getByRole('link', { name: 'ui-rag' }).click();

    await page.getByRole('button', { name: 'Delete' }).click();
    await confirm(page, 'Delete');
    await page.getByText('This deployment has been deleted').waitFor({ timeout: 60_000 });
    const left = await platform.api('GET', '/api/v1/deployments');
    expect(left.body.items.map((d: { name: string }) => d.name)).not.toContain('ui-rag');
  }, 180_000);

  it('forks a system template and shows server validation errors at their line', async () => {
    await page.goto(`${platform.url}/usecases/simple-chatbot-v1`);
    await page.getByRole('button', { name: 'Fork' }).click();
    await page.waitForURL(/\/usecases\/[a-z0-9-]+\/edit$/);
    const editor = page.getByLabel('Template YAML');
    await editor.waitFor();
    const yaml = await editor.inputValue();
    expect(yaml).toContain('components:');

    const broken = yaml.replace(/^version: .*$/m, 'version: not-a-version');
    await editor.fill(broken);
    await page.getByRole('button', { name: 'Save' }).click();
    const problems = page.getByTestId('yaml-problems');
    await problems.waitFor();
    const versionLine = broken.split('\n').findIndex((line) => line.startsWith('version:')) + 1;
    expect(await problems.textContent()).toContain(`line ${versionLine}: version`);
    expect(await page.locator(`[data-line="${versionLine}"]`).getAttribute('style')).toContain('background');
    await screenshot(page, 'template-edit-error');

    await editor.fill(yaml.replace(/^name: .*$/m, 'name: My chatbot'));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/^Saved /).waitFor();
    const id = page.url().split('/').slice(-2)[0];
    const saved = await platform.api('GET', `/api/v1/templates/${id}`);
    expect(saved.body.name).toBe('My chatbot');
    expect(saved.body.forked_from).toBe('simple-chatbot-v1');
  }, 120_000);

  it('browses the component registry and the clusters with their job timeline', async () => {
    await page.goto(`${platform.url}/components`);
    await page.getByText('qdrant', { exact: true }).waitFor();
    expect(await page.locator('tbody tr.ant-table-row').count()).toBeGreaterThanOrEqual(14);
    await screenshot(page, 'components');

    await page.goto(`${platform.url}/clusters`);
    await page.getByText('Jobs on local').waitFor();
    await page.getByRole('list', { name: 'job timeline' }).or(page.getByText('No job in this window')).waitFor();
    await screenshot(page, 'clusters');
  });

  it('shows a readable message, not raw JSON, when the API refuses', async () => {
    await page.goto(`${platform.url}/usecases/no-such-template`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain("template 'no-such-template' was not found");
    expect(await alert.textContent()).not.toContain('status_code');
  });
});
