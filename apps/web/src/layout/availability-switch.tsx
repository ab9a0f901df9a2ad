import type { UserView } from '@handoff/contracts';
import { Switch } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/endpoints';
import { errorMessage } from '../api/http';
import { qk } from '../api/query-keys';

/** Online assistants are offered new work first. */
export function AvailabilitySwitch({ user }: { user: UserView }) {
  const client = useQueryClient();
  const mutation = useMutation({
    mutationFn: (online: boolean) => api.setAvailability(online),
    onMutate: (online) => {
      const before = client.getQueryData<UserView>(qk.me);
      client.setQueryData<UserView>(qk.me, (u) => (u ? { ...u, online } : u));
      return { before };
    },
    onSuccess: (answer) => {
      if (answer && typeof answer === 'object' && 'id' in answer) client.setQueryData(qk.me, answer);
    },
    onError: (e, _online, ctx) => {
      if (ctx?.before) client.setQueryData(qk.me, ctx.before);
      notifications.show({ title: 'Could not change availability', message: errorMessage(e), color: 'red' });
    },
  });
  const online = !!user.online;
  return (
    <Switch
      label={online ? 'Online' : 'Offline'}
      aria-label="Online"
      checked={online}
      color="green"
      disabled={mutation.isPending}
      onChange={(e) => mutation.mutate(e.currentTarget.checked)}
    />
  );
}
