import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@bud/auth';
import type { InvoiceLine, InvoiceQuery, InvoiceResponse } from '@bud/contracts';
import { Logger } from '@bud/logging';
import type { Clock } from '@bud/ports';
import { CLOCK } from '@bud/ports';
import { formatCents, formatMillionths, parseMillionths } from '../domain/usage/decimal';
import { sumsOf, toQuantities } from '../domain/usage/usage-quantities';
import { monthOf } from '../domain/usage/usage-window';
import { InvoiceRepository } from '../repositories/invoice.repository';
import type { InvoiceLineRow } from '../repositories/invoice.repository';
import { billingTenant } from './usage-access';

type InvoiceDeployment = InvoiceResponse['deployments'][number];

/**
 * docs/design.md#invoices: one tenant's month. Lines per deployment, job, GPU type and unit prices from the hourly
 * rollup; the total is the ledger's own sum for the tenant and month, exact to the micro-dollar, and the amount due
 * is that total rounded half up to the cent.
 */
@Injectable()
export class InvoiceService {
  private readonly logger = new Logger('invoices');

  constructor(
    private readonly invoices: InvoiceRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async invoice(principal: Principal, period: string, query: InvoiceQuery): Promise<InvoiceResponse> {
    const tenantId = billingTenant(principal, query.tenant_id, false) as string;
    const month = monthOf(period);
    const { lines: rows, ledgerTotal, meteredThrough } = await this.invoices.read(tenantId, month);
    const deployments = byDeployment(rows);
    const total = parseMillionths(ledgerTotal);
    const linesTotal = deployments.reduce((sum, deployment) => sum + parseMillionths(deployment.amount), 0n);
    // The rollup is written from exactly the ledger rows inserted, in their transaction: a difference is a bug.
    if (linesTotal !== total) {
      this.logger.error('invoice lines differ from the ledger', {
        tenant_id: tenantId,
        period,
        lines: formatMillionths(linesTotal),
        ledger: formatMillionths(total),
      });
    }
    // Before the meter's first tick nothing is metered: through the month's start at the latest.
    const through = meteredThrough ?? new Date(Math.min(this.clock.now(), month.from.getTime()));
    return {
      tenant_id: tenantId,
      period,
      currency: 'USD',
      status: through.getTime() >= month.to.getTime() ? 'closed' : 'open',
      metered_through: through.toISOString(),
      deployments,
      total: formatMillionths(total),
      total_due: formatCents(total),
    };
  }
}

function byDeployment(rows: InvoiceLineRow[]): InvoiceDeployment[] {
  const groups = new Map<string | null, { amount: bigint; lines: InvoiceLine[] }>();
  for (const row of rows) {
    const sums = sumsOf(row);
    const quantities = toQuantities(sums);
    const group = groups.get(row.deployment_id) ?? { amount: 0n, lines: [] };
    group.amount += sums.cost;
    group.lines.push({
      job_id: row.job_id,
      job_name: row.job_name,
      cluster_id: row.cluster_id,
      project_id: row.project_id,
      gpu_type: row.gpu_type,
      quantities: { gpu_hours: quantities.gpu_hours, vcpu_hours: quantities.vcpu_hours, memory_gib_hours: quantities.memory_gib_hours },
      unit_prices: {
        gpu_hour: formatMillionths(parseMillionths(row.gpu_hour_price)),
        vcpu_hour: formatMillionths(parseMillionths(row.vcpu_hour_price)),
        memory_gib_hour: formatMillionths(parseMillionths(row.memory_gib_hour_price)),
      },
      amount: quantities.cost,
    });
    groups.set(row.deployment_id, group);
  }
  return [...groups].map(([deploymentId, group]) => ({
    deployment_id: deploymentId,
    amount: formatMillionths(group.amount),
    lines: group.lines,
  }));
}
