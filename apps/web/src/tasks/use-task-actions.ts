import type { TaskView } from '@handoff/contracts';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/endpoints';
import { errorMessage, isApiError } from '../api/http';
import { qk } from '../api/query-keys';
import { mergeTask } from '../live/merge';
import { STATUS_LABELS } from '../lib/task-display';

export type TaskCommand =
  | { action: 'claim' | 'start' | 'release' | 'accept' | 'cancel'; taskId: string }
  | { action: 'return'; taskId: string; result: string }
  | { action: 'revise'; taskId: string; feedback: string };

function run(cmd: TaskCommand): Promise<TaskView> {
  switch (cmd.action) {
    case 'claim':
      return api.claim(cmd.taskId);
    case 'start':
      return api.start(cmd.taskId);
    case 'release':
      return api.release(cmd.taskId);
    case 'accept':
      return api.accept(cmd.taskId);
    case 'cancel':
      return api.cancel(cmd.taskId);
    case 'return':
      return api.returnTask(cmd.taskId, cmd.result);
    case 'revise':
      return api.revise(cmd.taskId, cmd.feedback);
  }
}

const DONE: Record<TaskCommand['action'], string> = {
  claim: 'Task claimed. It is in My tasks; start it within the claim window.',
  start: 'Task started.',
  release: 'Task released back to the queue.',
  accept: 'Task accepted.',
  cancel: 'Task cancelled.',
  return: 'Task returned to the client.',
  revise: 'Revision requested.',
};

/** Runs a transition and folds the answer into the cache, keeping the newest version as the live layer does. */
export function useTaskCommand(opts: { quiet?: boolean } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: (task, cmd) => {
      if (task && typeof task === 'object' && 'version' in task) {
        client.setQueryData<TaskView>(qk.taskDetail(cmd.taskId), (old) => (old ? mergeTask(old, task) : old));
      }
      void client.invalidateQueries({ queryKey: qk.tasks });
      if (!opts.quiet) notifications.show({ message: DONE[cmd.action], color: 'green' });
    },
    onError: (e, cmd) => {
      void client.invalidateQueries({ queryKey: qk.tasks });
      const status = isApiError(e, 409) && typeof e.body?.status === 'string' ? e.body.status : null;
      const message =
        cmd.action === 'claim' && isApiError(e, 409)
          ? 'Someone else claimed this task first.'
          : status && status in STATUS_LABELS
            ? `${errorMessage(e)} (it is now ${STATUS_LABELS[status as keyof typeof STATUS_LABELS].toLowerCase()})`
            : errorMessage(e);
      notifications.show({ title: 'Could not do that', message, color: 'red' });
    },
  });
}
