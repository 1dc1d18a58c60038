import { BUILT_IN_DEFAULT_QUOTA } from '../domain/quota-model';
import type { TenantQuota } from '../domain/quota-model';
import type { QuotaUseRow } from '../repositories/quota.repository';
import { formatBytes, formatCpuMillis, quotaUsage } from './quota-usage';

const tenant = 'd2b0c7a4-0000-4000-8000-000000000001';
const use = (fields: Partial<QuotaUseRow>): QuotaUseRow => ({
  tenantId: tenant,
  gpuType: 'A100-80GB',
  holding: true,
  cpuRequest: '1',
  memoryRequest: '1Gi',
  replicas: 1,
  gpus: 1,
  ...fields,
});
const fourA100: TenantQuota = { ...BUILT_IN_DEFAULT_QUOTA, tenantId: tenant, gpus: { 'A100-80GB': { nominal: 4, borrowingLimit: null } } };

describe('quotaUsage', () => {
  it('counts admitted GPUs, the part beyond the nominal quota as borrowed, and waiting GPUs as queued', () => {
    const usage = quotaUsage(fourA100, [use({ gpus: 6, replicas: 3 }), use({ holding: false, gpus: 2, replicas: 1 })]);
    expect(usage.gpus).toEqual({ 'A100-80GB': { admitted: 6, borrowed: 2, queued: 2 } });
  });

  it('lists every product of the quota, used or not, and a product outside it borrows all it holds', () => {
    const usage = quotaUsage(fourA100, [use({ gpuType: 'H100-80GB', gpus: 2 })]);
    expect(usage.gpus).toEqual({
      'A100-80GB': { admitted: 0, borrowed: 0, queued: 0 },
      'H100-80GB': { admitted: 2, borrowed: 2, queued: 0 },
    });
  });

  it('sums CPU and memory of admitted work only, per replica', () => {
    const usage = quotaUsage(BUILT_IN_DEFAULT_QUOTA, [
      use({ gpuType: null, gpus: 0, cpuRequest: '500m', memoryRequest: '512Mi', replicas: 3 }),
      use({ gpuType: null, gpus: 0, holding: false, cpuRequest: '8', memoryRequest: '8Gi' }),
    ]);
    expect(usage).toEqual({ gpus: {}, cpu: '1500m', memory: '1536Mi' });
  });

  it('is all zero without jobs', () => {
    expect(quotaUsage(BUILT_IN_DEFAULT_QUOTA, [])).toEqual({ gpus: {}, cpu: '0', memory: '0' });
  });

  it.each([
    [0, '0'],
    [2000, '2'],
    [2500, '2500m'],
  ])('formats %i millicores as %s', (millis, text) => expect(formatCpuMillis(millis)).toBe(text));

  it.each([
    [0, '0'],
    [2 ** 30 * 8, '8Gi'],
    [2 ** 20 * 1536, '1536Mi'],
    [1000, '1000'],
  ])('formats %i bytes as %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text));
});
