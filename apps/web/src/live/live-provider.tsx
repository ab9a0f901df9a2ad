import type { ImportView, LedgerEntryView, ServerToClientEvents, SessionEndReason, TaskRatingView, TaskView, UserView } from '@handoff/contracts';
import { notifications } from '@mantine/notifications';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../api/endpoints';
import { applyMessageEvent } from '../conversations/conversation-cache';
import { applyProgress, importKeys } from '../imports/imports-api';
import { qk } from '../api/query-keys';
import { getAccessToken, onAccessTokenChange, refreshAccessToken, storedAccessToken, tokenExpiresInMs } from '../api/token-store';
import {
  applyChecklist,
  checklistIntoPages,
  removeFromAvailable,
  taskBelongs,
  tasksIn,
  upsertIntoAvailable,
  upsertIntoPages,
  mergeTask,
  VersionBook,
  type ListScope,
  type PagedTasks,
} from './merge';
import { createLiveSocket, type LiveSocket, type SocketFactory } from './socket';
import {
  toastForAvailable,
  toastForBilling,
  toastForBudget,
  toastForEscalated,
  toastForOverdue,
  toastForRating,
  toastForUpdate,
  type ToastSpec,
} from './toasts';

const ADMIN_REFRESH_DELAY_MS = 150;
/** A stored token with less than this left is refreshed before it reconnects a socket. */
const RECONNECT_MIN_LIFETIME_MS = 5_000;

/** An access token worth reconnecting with: the stored one if it has life left, a refreshed one otherwise. */
async function tokenForReconnect(): Promise<string | null> {
  const current = getAccessToken();
  const left = tokenExpiresInMs();
  if (current && (left === null || left > RECONNECT_MIN_LIFETIME_MS)) return current;
  return refreshAccessToken(storedAccessToken());
}

export type LiveStatus = 'connecting' | 'connected' | 'disconnected';

const LiveContext = createContext<LiveStatus>('connecting');

export function useLiveStatus(): LiveStatus {
  return useContext(LiveContext);
}

/** The cached copy of a task, wherever it is, to tell what changed. */
function findCached(client: QueryClient, taskId: string): TaskView | undefined {
  let best: TaskView | undefined;
  for (const query of client.getQueryCache().findAll({ queryKey: qk.tasks })) {
    for (const t of tasksIn(query.state.data)) {
      if (t.id === taskId && (!best || t.version > best.version)) best = t;
    }
  }
  return best;
}

/** Fold one task snapshot into every cached view of tasks. */
function applySnapshot(client: QueryClient, user: UserView, task: TaskView, book: VersionBook): void {
  const detailKey = qk.taskDetail(task.id);
  const detail = client.getQueryData<TaskView>(detailKey);
  if (detail) {
    const merged = mergeTask(detail, task);
    if (merged !== detail) {
      client.setQueryData(detailKey, merged);
      // Event snapshots carry no history; fetch it so the timeline shows the new step.
      void client.invalidateQueries({ queryKey: detailKey, refetchType: 'active' });
    }
  }
  for (const query of client.getQueryCache().findAll({ queryKey: qk.taskLists })) {
    const filters = (query.queryKey[2] ?? {}) as Pick<ListScope, 'status' | 'category'>;
    const scope: ListScope = { role: user.role, userId: user.id, organizationId: user.organizationId, ...filters };
    client.setQueryData<PagedTasks>(query.queryKey, (data) => upsertIntoPages(data, task, (t) => taskBelongs(t, scope), book));
  }
  if (user.role === 'assistant') {
    client.setQueryData<TaskView[]>(qk.available, (list) => upsertIntoAvailable(list, task, book));
  }
}

interface LiveProviderProps {
  user: UserView;
  children: ReactNode;
  /** Injected by tests; the real Socket.IO client otherwise. */
  createSocket?: SocketFactory;
}

/** One socket per signed-in session, merging events into the query cache. */
export function LiveProvider({ user, children, createSocket = createLiveSocket }: LiveProviderProps) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const bookRef = useRef(new VersionBook());
  // The effect below must not re-run (and reconnect) when these change identity.
  const latest = useRef({ user, navigate });
  latest.current = { user, navigate };

  // Fetched data is as authoritative as events: remember its versions so a late event can't resurrect an older snapshot.
  useEffect(() => {
    const book = bookRef.current;
    return client.getQueryCache().subscribe((event) => {
      if (event.type !== 'updated' || event.action.type !== 'success') return;
      if (event.query.queryKey[0] !== qk.tasks[0]) return;
      for (const t of tasksIn(event.query.state.data)) book.observe(t.id, t.version);
    });
  }, [client]);

  useEffect(() => {
    const book = bookRef.current;
    const toasted = new Set<string>();
    const socket: LiveSocket = createSocket();
    let everConnected = false;
    let failedBeforeConnect = false;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    /** What the server said in `session.ended`, just before it ends the socket. */
    let endedBecause: SessionEndReason | null = null;
    let disposed = false;

    const toast = (key: string, spec: ToastSpec | null) => {
      if (!spec || toasted.has(key)) return;
      toasted.add(key);
      notifications.show({
        title: spec.title,
        message: spec.message,
        color: spec.color,
        autoClose: 6000,
        style: spec.href ? { cursor: 'pointer' } : undefined,
        onClick: spec.href ? () => void latest.current.navigate(spec.href!) : undefined,
      });
    };

    // Queue health counts tasks per state on the server; a snapshot can't patch those counts, so refetch
    // them after a move instead of leaving the admin's view a poll interval behind. A burst of events
    // (claim, start, return in quick succession) collapses into one refetch.
    let adminRefresh: ReturnType<typeof setTimeout> | undefined;
    const refreshAdminStats = () => {
      if (latest.current.user.role !== 'admin' || adminRefresh) return;
      adminRefresh = setTimeout(() => {
        adminRefresh = undefined;
        void client.invalidateQueries({ queryKey: qk.admin, refetchType: 'active' });
      }, ADMIN_REFRESH_DELAY_MS);
    };

    const onTaskSnapshot = (task: TaskView) => {
      refreshAdminStats();
      const viewer = latest.current.user;
      const previous = findCached(client, task.id);
      const known = book.get(task.id);
      const isNew = known === undefined || task.version > known;
      applySnapshot(client, viewer, task, book);
      book.observe(task.id, task.version);
      return { previous, isNew, viewer };
    };

    const handlers: { [E in keyof ServerToClientEvents]: ServerToClientEvents[E] } = {
      'task.updated': ({ task }) => {
        const { previous, isNew, viewer } = onTaskSnapshot(task);
        if (isNew) toast(`updated:${task.id}:${task.version}`, toastForUpdate(viewer, task, previous));
      },
      'task.available': ({ task }) => {
        if (book.isOutdated(task.id, task.version)) return;
        const { viewer } = onTaskSnapshot(task);
        toast(`available:${task.id}:${task.version}`, toastForAvailable(viewer, task));
      },
      'task.unavailable': ({ taskId, version }) => {
        client.setQueryData<TaskView[]>(qk.available, (list) => removeFromAvailable(list, taskId, version));
        book.observe(taskId, version);
      },
      'billing.recorded': ({ entry }: { entry: LedgerEntryView }) => {
        void client.invalidateQueries({ queryKey: ['billing'] });
        toast(`billing:${entry.id}`, toastForBilling(latest.current.user, entry));
      },
      'task.overdue': ({ task }) => {
        const { viewer } = onTaskSnapshot(task);
        toast(`overdue:${task.id}`, toastForOverdue(viewer, task));
      },
      'task.escalated': ({ task }) => {
        const { viewer } = onTaskSnapshot(task);
        toast(`escalated:${task.id}`, toastForEscalated(viewer, task));
      },
      'task.checklist': (live) => {
        client.setQueryData<TaskView>(qk.taskDetail(live.taskId), (task) => (task ? applyChecklist(task, live) : task));
        for (const query of client.getQueryCache().findAll({ queryKey: qk.taskLists })) {
          client.setQueryData<PagedTasks>(query.queryKey, (data) => checklistIntoPages(data, live));
        }
      },
      'dispute.updated': () => {
        void client.invalidateQueries({ queryKey: qk.disputes });
      },
      'notification.created': ({ unread }) => {
        client.setQueryData(qk.notificationCount, { unread });
        void client.invalidateQueries({ queryKey: [...qk.notifications, 'list'] });
      },
      'notification.read': ({ unread }) => {
        client.setQueryData(qk.notificationCount, { unread });
        void client.invalidateQueries({ queryKey: [...qk.notifications, 'list'] });
      },
      'message.created': (payload) => applyMessageEvent(client, payload),
      'message.updated': (payload) => applyMessageEvent(client, payload),
      'task.rated': ({ rating }) => {
        client.setQueryData<TaskRatingView>(qk.taskRating(rating.taskId), (held) => (held ? { ...held, rating } : held));
        void client.invalidateQueries({ queryKey: ['scorecard'] });
        toast(`rated:${rating.taskId}:${rating.revision}`, toastForRating(latest.current.user, rating));
      },
      'budget.threshold': (notice) => {
        void client.invalidateQueries({ queryKey: ['quote'] });
        toast(`budget:${notice.templateId ?? notice.organizationId}:${notice.month}:${notice.thresholdPct}`, toastForBudget(notice));
      },
      'import.progress': (progress) => {
        client.setQueryData<ImportView>(importKeys.one(progress.importId), (im) => applyProgress(im, progress));
      },
      'schedule.paused': (paused) => {
        void client.invalidateQueries({ queryKey: qk.schedules });
        toast(`schedule-paused:${paused.scheduleId}:${paused.scheduledAt}`, {
          title: `Schedule paused: ${paused.name}`,
          message: paused.reason,
          color: 'orange',
          href: '/client/schedules',
        });
      },
      'session.ended': ({ reason }) => {
        endedBecause = reason;
      },
    };

    const onConnect = () => {
      // Anything emitted while we were away is lost; refetching what is on screen repairs it.
      if (everConnected || failedBeforeConnect) void client.invalidateQueries();
      everConnected = true;
      setStatus('connected');
    };
    const checkSessionThenRetry = () => {
      // A refused handshake is usually an expired token: /auth/me answers 401 and signs out.
      api
        .me()
        .then(() => {
          retryTimer = setTimeout(() => socket.connect(), 5000);
        })
        .catch(() => undefined);
    };
    // The server ended the socket because its token ran out (a tab that slept through the renewal):
    // that is routine, so come straight back with a fresh token and keep the status as it was.
    const resumeAfterExpiry = () => {
      void tokenForReconnect().then((token) => {
        if (disposed) return;
        if (token) {
          socket.connect();
          return;
        }
        setStatus('disconnected');
        checkSessionThenRetry();
      });
    };
    const onDisconnect = (reason: string) => {
      const because = endedBecause;
      endedBecause = null;
      if (reason === 'io server disconnect' && because === 'expired') return resumeAfterExpiry();
      setStatus('disconnected');
      if (reason === 'io server disconnect') checkSessionThenRetry();
    };
    const onConnectError = () => {
      if (!everConnected) failedBeforeConnect = true;
      setStatus('disconnected');
      if (!socket.active) checkSessionThenRetry();
    };

    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    socket.on('connect_error', onConnectError);
    for (const [event, handler] of Object.entries(handlers)) socket.on(event, handler as (...args: never[]) => void);
    if (socket.connected) onConnect();

    // Each new access token (renewed shortly before the old one lapses, here or in another tab) goes
    // to the open socket, so the server keeps it open past the old token's expiry.
    const stopRenewing = onAccessTokenChange((token) => {
      if (!token || !socket.connected) return;
      // A refusal ends the socket on the server's side and arrives as session.ended; nothing to do here.
      socket.emit('session.renew', { token }, () => undefined);
    });

    return () => {
      disposed = true;
      stopRenewing();
      clearTimeout(retryTimer);
      clearTimeout(adminRefresh);
      socket.off('connect', onConnect);
      socket.off('disconnect', onDisconnect);
      socket.off('connect_error', onConnectError);
      for (const [event, handler] of Object.entries(handlers)) socket.off(event, handler as (...args: never[]) => void);
      socket.disconnect();
      book.clear();
    };
  }, [client, createSocket, user.id]);

  return <LiveContext.Provider value={status}>{children}</LiveContext.Provider>;
}
