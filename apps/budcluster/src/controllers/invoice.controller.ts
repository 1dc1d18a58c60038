import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Principal } from '@bud/auth';
import { invoicePeriodSchema, invoiceQuerySchema, invoiceResponseSchema } from '@bud/contracts';
import type { InvoiceQuery, InvoiceResponse } from '@bud/contracts';
import { CurrentPrincipal, Operation, ValidQuery, ZodPipe } from '@bud/http';
import { acceptsCsvOverJson, invoiceCsv } from '../domain/usage/invoice-csv';
import { InvoiceService } from '../services/invoice.service';

const invoiceParamsSchema = z.object({ period: invoicePeriodSchema }).strict();

/** docs/design.md#invoices */
@Controller('api/v1/invoices')
export class InvoiceController {
  constructor(private readonly invoices: InvoiceService) {}

  @Get(':period')
  @Operation({
    summary:
      "One tenant's month (billing:view; platform:admin may name tenant_id): lines per deployment and job, total equal to " +
      'the ledger; with format=csv or Accept: text/csv, CSV (a header, one row per line, a total row)',
    query: invoiceQuerySchema,
    response: invoiceResponseSchema,
  })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(invoiceParamsSchema, 'path')) params: { period: string },
    @ValidQuery() query: InvoiceQuery,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<InvoiceResponse | string> {
    const invoice = await this.invoices.invoice(principal, params.period, query);
    if (query.format !== 'csv' && !acceptsCsvOverJson(request.headers.accept)) return invoice;
    response.setHeader('content-type', 'text/csv; charset=utf-8');
    response.setHeader('content-disposition', `attachment; filename="invoice-${invoice.period}.csv"`);
    return invoiceCsv(invoice);
  }
}
