import { Injectable } from '@nestjs/common';
import type { TaskView } from '@handoff/contracts';

/** Enough for the announces of several seconds of submissions at full speed, a few MB at most. */
export const SNAPSHOTS_MAX = 5_000;

/**
 * The views of queued tasks the relay has just sent, kept for the announce
 * that follows them in this process, so it reads only who can take each task
 * and not the task again. A view is for one version and is handed out once;
 * an announce in another process, or one that comes too late, reads the task
 * as before. The oldest views go first once there are more than `max`.
 */
@Injectable()
export class TaskSnapshots {
  private readonly views = new Map<string, TaskView>();

  constructor(private readonly max = SNAPSHOTS_MAX) {}

  keep(view: TaskView): void {
    if (!this.max) return;
    this.views.set(`${view.id}/${view.version}`, view);
    for (const key of this.views.keys()) {
      if (this.views.size <= this.max) break;
      this.views.delete(key);
    }
  }

  take(taskId: string, version: number): TaskView | undefined {
    const key = `${taskId}/${version}`;
    const view = this.views.get(key);
    this.views.delete(key);
    return view;
  }

  get size(): number {
    return this.views.size;
  }
}
