import { Injectable, Logger } from '@nestjs/common';
import { deadlineFor, type ImportRowError } from '@handoff/contracts';
import { OrganizationSettingsService } from '../organizations/organization-settings.service.js';
import { UnitOfWork } from '../events/unit-of-work.js';
import { submission, TasksRepository, type Submission } from '../tasks/tasks.repository.js';
import { TemplatesService } from '../templates/templates.service.js';
import { ImportRowsRepository } from './import-rows.repository.js';
import { ImportsRepository } from './imports.repository.js';

/** Valid rows per transaction: one submit statement, one progress event. */
export const RUN_CHUNK = 500;
/** A row's own deadline must still be this far off when its turn comes. */
const DEADLINE_SLACK_MS = 60_000;

/** Why a run cannot go on, whatever a retry does: the import is marked failed. */
class RunRefused extends Error {}

/**
 * Turns a confirmed import's valid rows into tasks. Each chunk is one
 * transaction: the rows are locked (`SKIP LOCKED`, so runs side by side share
 * the work), submitted in one statement at the rate card's prices of now, and
 * given their task ids, with the import's count and its progress event. A row
 * with a task is never picked again, so a run cut off anywhere resumes where
 * the last commit left it.
 */
@Injectable()
export class ImportRunner {
  private readonly logger = new Logger('imports');

  constructor(
    private readonly uow: UnitOfWork,
    private readonly imports: ImportsRepository,
    private readonly rows: ImportRowsRepository,
    private readonly tasks: TasksRepository,
    private readonly templates: TemplatesService,
    private readonly settings: OrganizationSettingsService,
  ) {}

  /** Runs until no valid row is left without its task; returns how many tasks this run made. */
  async run(importId: string): Promise<{ created: number; status: string }> {
    const [im] = await this.imports.byIds([importId]);
    if (!im || im.status !== 'running') return { created: 0, status: im?.status ?? 'missing' };
    const version = await this.templates.pinned(im.templateId, im.templateVersionId);
    if (!version) {
      await this.fail(importId, 'the template version of this import is gone');
      return { created: 0, status: 'failed' };
    }
    const calendar = await this.settings.calendarOf(im.organizationId);
    const submitter = { id: im.createdBy, organizationId: im.organizationId };
    let created = 0;
    try {
      for (;;) {
        const made = await this.uow.transaction(async (m) => {
          const rows = await this.rows.lockPending(m, importId, RUN_CHUNK);
          if (!rows.length) return null;
          const now = new Date();
          const due = deadlineFor(version.deadlineRule, now, calendar).toISOString();
          const late: number[] = [];
          const subs: Submission[] = [];
          const numbers: number[] = [];
          for (const r of rows) {
            if (r.deadline && r.deadline.getTime() <= now.getTime() + DEADLINE_SLACK_MS) {
              late.push(r.rowNumber);
              continue;
            }
            numbers.push(r.rowNumber);
            subs.push(
              submission(submitter, {
                title: r.title ?? version.name,
                instructions: version.instructions,
                category: version.category,
                priority: r.priority ?? version.defaultPriority,
                deadline: r.deadline?.toISOString() ?? due,
                template: { templateId: version.templateId, versionId: version.id, version: version.version, inputs: r.inputs ?? {}, checklist: version.checklist },
              }),
            );
          }
          if (late.length) {
            const errors: ImportRowError[] = [{ column: 'deadline', message: 'had passed when the row’s turn came' }];
            await this.rows.reject(m, importId, late, errors);
            await this.imports.rejectMore(m, importId, late.length);
          }
          if (subs.length) {
            const inserted = await this.tasks.submit(subs, m);
            if (inserted.length !== subs.length) throw new RunRefused(`there is no rate for ${version.category}; ask an admin to set one, then upload again`);
            await this.rows.attachTasks(m, importId, numbers, subs.map((s) => s.id));
          }
          await this.imports.advance(m, importId, subs.length);
          return subs.length;
        });
        if (made === null) break;
        created += made;
      }
    } catch (e) {
      if (!(e instanceof RunRefused)) throw e;
      await this.fail(importId, e.message);
      return { created, status: 'failed' };
    }
    const done = await this.uow.commit(() => this.imports.finish(importId), (r) => r !== null);
    return { created, status: done?.status ?? 'running' };
  }

  private async fail(importId: string, error: string): Promise<void> {
    this.logger.warn({ importId, error }, 'import failed');
    await this.uow.commit(() => this.imports.fail(importId, error));
  }
}
