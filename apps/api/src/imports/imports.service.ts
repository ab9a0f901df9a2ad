import { BadRequestException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { IMPORT_LIMITS, jobId, type CreateImportBody, type ImportView } from '@handoff/contracts';
import { parse } from 'csv-parse';
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import { stringify } from 'csv-stringify';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CSV_OPTIONS, defused } from '../billing/csv.js';
import { StateConflict } from '../common/http/errors.js';
import { JobsService } from '../dispatch/jobs.service.js';
import { UnitOfWork } from '../events/unit-of-work.js';
import { TemplatesService } from '../templates/templates.service.js';
import type { TemplateVersion } from '../templates/template-version.entity.js';
import type { ImportRow } from './import-row.entity.js';
import { ImportRowsRepository, type NewImportRow } from './import-rows.repository.js';
import type { Import } from './import.entity.js';
import { ImportsRepository } from './imports.repository.js';
import { checkHeader, checkRow, ImportRefused, isBlankRow, rowsAsRecords } from './row-check.js';

/** Rows per insert while a file is read. */
const INSERT_BATCH = 1_000;
/** Rejected rows per read while the report streams. */
const REPORT_PAGE = 1_000;

export const toImportView = (im: Import, rows: readonly ImportRow[] = []): ImportView => ({
  id: im.id,
  organizationId: im.organizationId,
  templateId: im.templateId,
  templateVersionId: im.templateVersionId,
  templateVersion: im.templateVersion,
  status: im.status,
  columns: im.columns,
  sha256: im.contentSha256 ?? '',
  total: im.total,
  valid: im.valid,
  rejected: im.rejected,
  created: im.created,
  error: im.error,
  createdBy: im.createdBy,
  createdAt: im.createdAt.toISOString(),
  confirmedAt: im.confirmedAt?.toISOString() ?? null,
  finishedAt: im.finishedAt?.toISOString() ?? null,
  rows: rows.map((r) => ({
    rowNumber: r.rowNumber,
    values: Object.fromEntries(im.columns.map((c, i) => [c, r.cells[i] ?? ''])),
    errors: r.errors ?? [],
    taskId: r.taskId,
  })),
});

/** What an upload hands over: the bytes' digest, and the records (the header first) read from them on demand. */
export interface ImportSource {
  sha256: string;
  records: () => AsyncIterable<string[]>;
}

/** A CSV text or file as records, read in a stream; a malformed file is refused with the line csv-parse names. */
export async function* csvRecords(input: Readable): AsyncIterable<string[]> {
  const parser = input.pipe(
    parse({ bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: false, max_record_size: IMPORT_LIMITS.cellMax * 4 }),
  );
  input.on('error', (e) => parser.destroy(e));
  try {
    for await (const record of parser as AsyncIterable<string[]>) yield record;
  } catch (e) {
    if (e instanceof ImportRefused) throw e;
    throw new ImportRefused(`file is not valid CSV: ${(e as Error).message}`);
  }
}

export function jsonSource(body: CreateImportBody): ImportSource {
  if (body.csv !== undefined) {
    const bytes = Buffer.from(body.csv, 'utf8');
    return { sha256: createHash('sha256').update(bytes).digest('hex'), records: () => csvRecords(Readable.from([bytes])) };
  }
  const records = rowsAsRecords(body.rows!);
  const sha256 = createHash('sha256').update(JSON.stringify(body.rows)).digest('hex');
  return {
    sha256,
    records: async function* () {
      yield* records;
    },
  };
}

function isContentClash(e: unknown): boolean {
  return e instanceof QueryFailedError && (e.driverError as { code?: string; constraint?: string }).constraint === 'imports_content_key';
}

/**
 * Bulk hand-off: a file of rows against a template, each valid row becoming a
 * task. The upload reads and checks every row and stores them (the preview);
 * the confirm queues the run, which the imports worker does chunk by chunk.
 * The same bytes for the same template in an organization are one import.
 */
@Injectable()
export class ImportsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly imports: ImportsRepository,
    private readonly rows: ImportRowsRepository,
    private readonly templates: TemplatesService,
    private readonly jobs: JobsService,
    private readonly uow: UnitOfWork,
  ) {}

  /** The template's current version, or a 400 naming `templateId` (another organization's does not exist for the caller). */
  private async version(user: AuthUser, templateId: string): Promise<TemplateVersion> {
    try {
      return await this.templates.usable(user, templateId);
    } catch (e) {
      if (e instanceof NotFoundException) throw new BadRequestException('templateId is not a template you can use');
      if (e instanceof StateConflict) throw new BadRequestException('templateId names an archived template; unarchive it to import against it');
      throw e;
    }
  }

  /** The import for this content, made now (`created`) or found from an earlier upload of the same bytes. */
  async create(user: AuthUser, templateId: string, source: ImportSource): Promise<{ view: ImportView; created: boolean }> {
    const version = await this.version(user, templateId);
    const existing = await this.imports.findByContent(user.organizationId!, templateId, source.sha256);
    if (existing) return { view: await this.view(existing), created: false };
    try {
      const made = await this.ds.transaction((m) => this.ingest(m, user, version, source));
      return { view: await this.view(made), created: true };
    } catch (e) {
      if (e instanceof ImportRefused) throw new BadRequestException(e.message);
      // A concurrent upload of the same bytes committed first: its import is this one.
      if (!isContentClash(e)) throw e;
      const first = await this.imports.findByContent(user.organizationId!, templateId, source.sha256);
      if (!first) throw e;
      return { view: await this.view(first), created: false };
    }
  }

  /** Reads the records one at a time and inserts them in batches, so a file is never held whole. */
  private async ingest(m: EntityManager, user: AuthUser, version: TemplateVersion, source: ImportSource): Promise<Import> {
    const id = randomUUID();
    let columns: string[] | null = null;
    let batch: NewImportRow[] = [];
    let total = 0;
    let valid = 0;
    let line = 1;
    for await (const record of source.records()) {
      if (!columns) {
        columns = checkHeader(version.inputs, record);
        await this.imports.insert(m, { id, organizationId: user.organizationId!, createdBy: user.id, templateId: version.templateId, templateVersionId: version.id, templateVersion: version.version, columns });
        continue;
      }
      line++;
      if (isBlankRow(record)) continue;
      if (++total > IMPORT_LIMITS.rowsMax) throw new ImportRefused(`file has more than ${IMPORT_LIMITS.rowsMax} rows`);
      const row = checkRow(version.inputs, columns, line, record);
      if (!row.errors) valid++;
      batch.push(row);
      if (batch.length >= INSERT_BATCH) {
        await this.rows.insertMany(m, id, batch);
        batch = [];
      }
    }
    if (!columns) throw new ImportRefused('file has no header row; its first row names the columns');
    if (total === 0) throw new ImportRefused('file has no data rows under its header');
    await this.rows.insertMany(m, id, batch);
    return this.imports.seal(m, id, { sha256: source.sha256, total, valid, rejected: total - valid });
  }

  private async view(im: Import): Promise<ImportView> {
    return toImportView(im, await this.rows.first(im.id, IMPORT_LIMITS.previewRows));
  }

  /** The organization's clients, and admins (reading); anyone else, or another organization's, finds nothing. */
  private async readable(user: AuthUser, id: string): Promise<Import> {
    const im = await this.imports.findById(id);
    if (!im || (user.role !== 'admin' && im.organizationId !== user.organizationId)) throw new NotFoundException('import not found');
    return im;
  }

  async get(user: AuthUser, id: string): Promise<ImportView> {
    return this.view(await this.readable(user, id));
  }

  /**
   * Queues the run: preview → running once, and a confirm of a running import
   * queues it again (the same job id, so nothing runs twice; a run lost with a
   * worker resumes). A done or failed import answers as it is.
   */
  async confirm(user: AuthUser, id: string): Promise<ImportView> {
    const im = await this.readable(user, id);
    if (user.role !== 'client') throw new ForbiddenException('only the organization’s clients confirm an import');
    const now = (await this.uow.commit(() => this.imports.start(id), (r) => r !== null)) ?? (await this.imports.findById(id)) ?? im;
    if (now.status === 'running') await this.jobs.add('imports.run', { importId: id }, { jobId: jobId.importRun(id) });
    return this.view(now);
  }

  /** The rejected rows as CSV: row number, the cells as uploaded, and the errors; typed text defused against formulas. */
  async report(user: AuthUser, id: string): Promise<{ im: Import; body: Readable }> {
    const im = await this.readable(user, id);
    const rows = this.rows;
    async function* records(): AsyncIterable<string[]> {
      let after = 0;
      for (;;) {
        const page = await rows.rejected(id, after, REPORT_PAGE);
        for (const r of page) {
          const errors = (r.errors ?? []).map((e) => (e.column ? `${e.column} ${e.message}` : e.message)).join('; ');
          yield [String(r.rowNumber), ...im.columns.map((_, i) => defused(r.cells[i] ?? '')), defused(errors)];
        }
        if (page.length < REPORT_PAGE) return;
        after = page[page.length - 1]!.rowNumber;
      }
    }
    async function* withHeader(): AsyncIterable<string[]> {
      yield ['row', ...im.columns.map((c) => defused(c)), 'errors'];
      yield* records();
    }
    const body = Readable.from(withHeader()).pipe(stringify(CSV_OPTIONS));
    return { im, body };
  }
}
