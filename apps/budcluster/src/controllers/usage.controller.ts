import { Controller, Get } from '@nestjs/common';
import type { Principal } from '@bud/auth';
import { usageQuerySchema, usageResponseSchema } from '@bud/contracts';
import type { UsageQuery, UsageResponse } from '@bud/contracts';
import { CurrentPrincipal, Operation, ValidQuery } from '@bud/http';
import { UsageService } from '../services/usage.service';

/** docs/design.md#usage */
@Controller('api/v1/usage')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Get()
  @Operation({
    summary:
      'Usage from the metering ledger (billing:view): GPU, vCPU and memory hours and cost per hour, day or month (UTC), ' +
      'optionally split by deployment, project, cluster, GPU type or job; from is required and a range is at most 366 days',
    query: usageQuerySchema,
    response: usageResponseSchema,
  })
  query(@CurrentPrincipal() principal: Principal, @ValidQuery() query: UsageQuery): Promise<UsageResponse> {
    return this.usage.query(principal, query);
  }
}
