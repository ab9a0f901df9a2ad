import { Navigate, Route, Routes } from 'react-router';
import { NotFound } from '../components/not-found';
import { IntegrationsPage } from '../integrations/integrations-page';
import { TaskDetailPage } from '../tasks/task-detail-page';
import { AdminBillingPage } from './admin-billing-page';
import { DisputesPage } from './disputes-page';
import { AdminTasksPage } from './admin-tasks-page';
import { PeoplePage } from './people-page';
import { QueuePage } from './queue-page';
import { RateCardPage } from './rate-card-page';

export default function AdminArea() {
  return (
    <Routes>
      <Route index element={<Navigate to="/admin/queue" replace />} />
      <Route path="queue" element={<QueuePage />} />
      <Route path="tasks" element={<AdminTasksPage />} />
      <Route path="tasks/:id" element={<TaskDetailPage backTo="/admin/tasks" backLabel="All tasks" />} />
      <Route path="people" element={<PeoplePage />} />
      <Route path="rate-card" element={<RateCardPage />} />
      <Route path="billing" element={<AdminBillingPage />} />
      <Route path="disputes" element={<DisputesPage />} />
      <Route path="integrations" element={<IntegrationsPage />} />
      {/* Not a redirect: a relative one from this splat route resolved against the mistyped address itself, and looped. */}
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
