import { PeriodicJob, type PeriodicRun } from '../scheduling/periodic-job.js';
import { SchedulesService, type DueOutcome } from './schedules.service.js';

/**
 * Every `SCHEDULE_INTERVAL`, once across all workers (a BullMQ job scheduler):
 * the schedules due by now get their runs. A pass that overlaps another, or is
 * retried, finds what it took already run (locked rows skipped, unique runs).
 */
@PeriodicJob({ name: 'schedules.due', schedule: (config) => ({ every: config.scheduleIntervalMs }) })
export class SchedulesDue {
  constructor(private readonly schedules: SchedulesService) {}

  run(_at: PeriodicRun): Promise<DueOutcome> {
    return this.schedules.runDue(new Date());
  }
}
