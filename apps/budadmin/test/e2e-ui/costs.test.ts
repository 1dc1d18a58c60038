import type { Browser, Page } from 'playwright-core';
import type { BudgetResponse, DeploymentResponse, UsageResponse } from '@bud/contracts';
import { pollUntil } from '@bud/testing';
import { launchChromium, screenshot } from '../support/browser';
import { UiPlatform } from '../support/platform';

const DAY_MS = 86_400_000;
const micros = (decimal: string) => BigInt(decimal.replace('.', ''));

/**
 * The Costs page, the deployment's actual cost and the budget banner in a real browser, over the real meter:
 * a running deployment accrues in budcluster's ledger, a tiny budget set through the page crosses its thresholds.
 */
describe('budadmin costs in Chromium', () => {
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
    page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  });
  afterEach(() => page?.close());

  it('meters a running deployment: charts on the Costs page (recharts loaded only there), actual cost beside the estimate, a banner once a budget is crossed', async () => {
    const requested: string[] = [];
    page.on('request', (request) => requested.push(new URL(request.url()).pathname));
    const clusters = await platform.api('GET', '/api/v1/clusters');
    const local = clusters.body.items.find((c: { name: string }) => c.name === 'local');
    const created = await platform.api<DeploymentResponse>('POST', '/api/v1/deployments', {
      template_id: 'simple-chatbot-v1',
      name: 'ui-costs',
      cluster_id: local.id,
      parameters: { model_id: 'meta-llama/Llama-3.1-8B-Instruct', gpu_count: 1 },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;

    // No budget yet: no banner. Set a tiny one through the page's form.
    await page.goto(`${platform.url}/costs`);
    await page.getByTestId('budgets-card').getByText('No budget yet').waitFor();
    expect(await page.getByTestId('budget-banner').count()).toBe(0);
    expect(requested.some((p) => /\/assets\/CostCharts-/.test(p))).toBe(false);
    await page.locator('#budget-amount').fill('0.01');
    await page.locator('#budget-thresholds').fill('50, 100');
    await page.getByRole('button', { name: 'Set budget' }).click();
    await page.locator('[data-budget="tenant"]').waitFor();
    const budgets = await platform.api<{ items: BudgetResponse[] }>('GET', '/api/v1/budgets');
    expect(budgets.body.items).toMatchObject([{ project_id: null, monthly_amount: '0.010000', thresholds: [50, 100], action: 'notify' }]);

    // The meter writes each minute once it is over: wait for the deployment's first money, then for the budget's crossing.
    const from = new Date(Date.parse(created.body.created_at) - (Date.parse(created.body.created_at) % 60_000)).toISOString();
    const deploymentUsage = async () =>
      (await platform.api<UsageResponse>('GET', `/api/v1/usage?deployment_id=${id}&from=${from}&group_by=month`)).body;
    await pollUntil(deploymentUsage, (u) => micros(u.total.cost) > 0n, { timeoutMs: 150_000, intervalMs: 1000, what: 'metered cost' });
    await pollUntil(
      async () => (await platform.api<{ items: BudgetResponse[] }>('GET', '/api/v1/budgets')).body.items[0],
      (b) => b.crossed.includes(100),
      { timeoutMs: 60_000, intervalMs: 500, what: 'the budget to cross 100%' },
    );

    // The Costs page: the range total lies between two reads of the API around it (the meter keeps writing).
    const rangeFrom = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS - 29 * DAY_MS).toISOString();
    const rangeTotal = async () =>
      micros((await platform.api<UsageResponse>('GET', `/api/v1/usage?from=${rangeFrom}&by=deployment`)).body.total.cost);
    const before = await rangeTotal();
    await page.goto(`${platform.url}/costs`);
    const banner = page.getByTestId('budget-banner');
    await banner.locator('[data-threshold="100"]').waitFor();
    expect(await banner.textContent()).toMatch(/Budget threshold 100% crossed.*tenant budget: \d+% used — \$[\d.,]+ of \$0\.01 spent/);
    const shown = micros((await page.getByTestId('range-total').getAttribute('data-cost'))!);
    const after = await rangeTotal();
    expect(shown).toBeGreaterThan(0n);
    expect(shown >= before && shown <= after).toBe(true);
    const byDeployment = page.locator('[data-chart="Spend by deployment"]');
    await byDeployment.locator('.recharts-bar-rectangle').first().waitFor();
    expect(await byDeployment.getAttribute('data-series')).toContain('ui-costs');
    const byGpu = page.locator('[data-chart="GPU-hours by GPU type"]');
    await byGpu.locator('.recharts-bar-rectangle').first().waitFor();
    expect(await byGpu.getAttribute('data-series')).not.toBe('');
    await page.locator('[data-chart="budget burn"] .recharts-line').first().waitFor();
    expect(await page.getByTestId('burn-summary').textContent()).toMatch(/spent of \$0\.01; projected month end \$[\d.,]+/);
    expect(await page.locator('[data-budget="tenant"] .ant-tag-red').textContent()).toBe('100%');
    // The chart library arrived with the page's charts, not with the first bundle.
    expect(requested.some((p) => /\/assets\/CostCharts-/.test(p))).toBe(true);
    await screenshot(page, 'costs');

    // The deployment page: actual cost from the ledger beside the estimate, and the banner there too.
    const costBefore = micros((await deploymentUsage()).total.cost);
    await page.goto(`${platform.url}/deployments/${id}`);
    const actual = page.getByTestId('actual-cost');
    await actual.waitFor();
    const actualShown = micros((await actual.getAttribute('data-cost'))!);
    const costAfter = micros((await deploymentUsage()).total.cost);
    expect(actualShown >= costBefore && actualShown <= costAfter).toBe(true);
    expect(await actual.textContent()).toMatch(/^\$[\d.,]+ \(\d+\.\d{6} GPU-h\)$/);
    await page.getByTestId('budget-banner').waitFor();
    await screenshot(page, 'deployment-actual-cost');

    // The invoice links answer what they say.
    const csv = await page.request.get(`${platform.url}/api/v1/invoices/${new Date().toISOString().slice(0, 7)}?format=csv`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toMatch(/text\/csv/);

    expect((await platform.api('DELETE', `/api/v1/deployments/${id}`)).status).toBeLessThan(300);
  }, 300_000);

  it('refuses a bad budget in the form with the field the server names', async () => {
    await page.goto(`${platform.url}/costs`);
    await page.getByTestId('budgets-card').waitFor();
    await page.locator('#budget-amount').fill('12.345');
    await page.getByRole('button', { name: 'Set budget' }).click();
    const alert = page.getByTestId('budgets-card').getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/The budget was not saved.*monthly_amount/);
  });
});
