import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import type { Principal } from '@bud/auth';
import { createPriceBookEntryRequestSchema, priceBookEntrySchema } from '@bud/contracts';
import type { CreatePriceBookEntryRequest, PriceBookEntry } from '@bud/contracts';
import { CurrentPrincipal, Operation, ZodPipe } from '@bud/http';
import { z } from 'zod';
import { PriceBookService } from '../services/price-book.service';
import { idParamsSchema } from './params';

const priceBookSchema = z.object({ items: z.array(priceBookEntrySchema) });

/** docs/design.md#price-book */
@Controller('api/v1/clusters/:id/prices')
export class PriceBookController {
  constructor(private readonly prices: PriceBookService) {}

  @Get()
  @Operation({ summary: "A cluster's price book, oldest entry first (current: the entry in effect now)", response: priceBookSchema })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(idParamsSchema, 'path')) params: { id: string },
  ): Promise<{ items: PriceBookEntry[] }> {
    return { items: await this.prices.list(principal, params.id) };
  }

  @Post()
  @Operation({
    summary: 'Add prices effective from a time (default now; never earlier than now); a future entry at the same time is replaced',
    body: createPriceBookEntryRequestSchema,
    response: priceBookEntrySchema,
    status: 201,
    errors: [409],
  })
  add(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(idParamsSchema, 'path')) params: { id: string },
    @Body(new ZodPipe(createPriceBookEntryRequestSchema, 'price entry')) body: CreatePriceBookEntryRequest,
  ): Promise<PriceBookEntry> {
    return this.prices.add(principal, params.id, body);
  }
}
