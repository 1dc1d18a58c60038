import { ConfigError } from '@bud/config';
import { loadBudusecasesConfig } from './budusecases.config';

describe('budusecases config', () => {
  const appApiToken = 'a'.repeat(32);

  it('refuses to start behind a Dapr sidecar without the app API token, so job events are never accepted unauthenticated', () => {
    expect(() => loadBudusecasesConfig({ DAPR_HTTP_PORT: '3500' })).toThrow(ConfigError);
    expect(() => loadBudusecasesConfig({ DAPR_HTTP_PORT: '3500' })).toThrow(/APP_API_TOKEN: is required with DAPR_HTTP_PORT/);
  });

  it('takes the app API token with a sidecar, and needs none without one', () => {
    expect(loadBudusecasesConfig({ DAPR_HTTP_PORT: '3500', APP_API_TOKEN: appApiToken }).APP_API_TOKEN).toBe(appApiToken);
    expect(loadBudusecasesConfig({}).APP_API_TOKEN).toBeUndefined();
  });

  it('refuses an app API token shorter than 32 characters', () => {
    expect(() => loadBudusecasesConfig({ APP_API_TOKEN: 'short' })).toThrow(/APP_API_TOKEN/);
  });
});
