import { Get, Headers, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiProduces, ApiTags } from '@nestjs/swagger';
import {
  adjustmentRequest,
  billingEntriesQuery,
  billingEntryPage,
  billingExportQuery,
  billingPeriodQuery,
  billingSummary,
  earnings,
  earningsQuery,
  ledgerEntryView,
  statement,
  statementDownloadQuery,
  statementQuery,
  type AdjustmentBody,
  type BillingEntriesQuery,
  type BillingExportQuery,
  type BillingPeriodQuery,
  type EarningsQuery,
  type StatementDownloadQuery,
  type StatementQuery,
} from '@handoff/contracts';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser, Roles } from '../common/auth/decorators.js';
import { Contract, Input } from '../common/http/contract.js';
import { IdempotencyService, isReplayed } from '../common/http/idempotency.js';
import { GuardedController } from '../common/http/global-guards.js';
import { BillingService } from './billing.service.js';

@ApiTags('billing')
@ApiBearerAuth()
@GuardedController('billing')
export class BillingController {
  constructor(
    private readonly billing: BillingService,
    private readonly idempotency: IdempotencyService,
  ) {}

  @Get('entries')
  @Contract({
    summary: 'Ledger entries, newest first: all (admin), your organization’s charges and corrections (client), your payouts (assistant)',
    query: billingEntriesQuery,
    response: billingEntryPage,
  })
  entries(@CurrentUser() user: AuthUser, @Input('query') q: BillingEntriesQuery) {
    return this.billing.entries(user, q);
  }

  @Get('summary')
  @Roles('admin')
  @Contract({
    summary: 'Per organization for a period [from, to): tasks billed, charged, paid out, fee, refunds, adjustments, late tasks; totals; charged vs paid out per day. Default: this month (UTC)',
    query: billingPeriodQuery,
    response: billingSummary,
  })
  summary(@Input('query') q: BillingPeriodQuery) {
    return this.billing.summary(q);
  }

  @Get('export.csv')
  @Roles('admin')
  @ApiProduces('text/csv')
  @Contract({ summary: 'The filtered entries as CSV, oldest first, streamed', query: billingExportQuery })
  async export(@CurrentUser() user: AuthUser, @Input('query') q: BillingExportQuery, @Res() reply: FastifyReply) {
    // Resolves once the rows have started, so a failure to start is an error response rather than a cut-off download.
    const body = await this.billing.exportCsv(user, q);
    const stamp = new Date().toISOString().slice(0, 10);
    return reply
      .status(200)
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="handoff-billing-${stamp}.csv"`)
      .header('cache-control', 'no-store')
      .send(body);
  }

  @Post('adjustments')
  @Roles('admin')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'the same key within 24 h returns the first answer and records nothing new' })
  @Contract({
    summary: 'Record a refund (positive, at most what is left of the task’s charge) or an adjustment, with a reason',
    body: adjustmentRequest,
    response: ledgerEntryView,
    status: 201,
    errors: { 404: 'task not found', 422: 'the task was never charged, or the amount goes beyond its charge' },
  })
  async adjust(
    @CurrentUser() user: AuthUser,
    @Input('body') body: AdjustmentBody,
    @Headers('idempotency-key') rawKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const key = IdempotencyService.validateKey(rawKey);
    if (!key) return this.billing.adjust(user, body);
    const result = await this.idempotency.run(user.id, key, body, 201, (m) => this.billing.adjust(user, body, m));
    if (isReplayed(result)) {
      void reply.status(result.statusCode).header('idempotent-replayed', 'true');
      return result.body;
    }
    return result;
  }

  @Get('statement')
  @Roles('client', 'admin')
  @Contract({
    summary: 'A month’s statement (UTC): charges, refunds, adjustments and the total. Clients get their organization’s; admins name one',
    query: statementQuery,
    response: statement,
    errors: { 404: 'organization not found or not yours' },
  })
  statement(@CurrentUser() user: AuthUser, @Input('query') q: StatementQuery) {
    return this.billing.statement(user, q);
  }

  @Get('statement.csv')
  @Roles('client', 'admin')
  @ApiProduces('text/csv')
  @Contract({
    summary: 'A month’s statement (UTC) as CSV, every line oldest first in the export’s columns, streamed. Clients get their organization’s; admins name one',
    query: statementDownloadQuery,
    errors: { 404: 'organization not found or not yours' },
  })
  statementCsv(@CurrentUser() user: AuthUser, @Input('query') q: StatementDownloadQuery, @Res() reply: FastifyReply) {
    return this.sendStatement(user, q, 'csv', reply);
  }

  @Get('statement.pdf')
  @Roles('client', 'admin')
  @ApiProduces('application/pdf')
  @Contract({
    summary: 'A month’s statement (UTC) as a PDF: organization, period, currency, every line (date, task, kind, amount) and the totals, streamed. Clients get their organization’s; admins name one',
    query: statementDownloadQuery,
    errors: { 404: 'organization not found or not yours' },
  })
  statementPdf(@CurrentUser() user: AuthUser, @Input('query') q: StatementDownloadQuery, @Res() reply: FastifyReply) {
    return this.sendStatement(user, q, 'pdf', reply);
  }

  private async sendStatement(user: AuthUser, q: StatementDownloadQuery, format: 'csv' | 'pdf', reply: FastifyReply) {
    const { body, filename } = await this.billing.statementFile(user, q, format);
    return reply
      .status(200)
      .header('content-type', format === 'pdf' ? 'application/pdf' : 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${filename}"`)
      .header('cache-control', 'no-store')
      .send(body);
  }

  @Get('earnings')
  @Roles('assistant', 'admin')
  @Contract({
    summary: 'Payouts per month or day (UTC) and in total. Assistants get their own; admins name one',
    query: earningsQuery,
    response: earnings,
  })
  earnings(@CurrentUser() user: AuthUser, @Input('query') q: EarningsQuery) {
    return this.billing.earnings(user, q);
  }
}
