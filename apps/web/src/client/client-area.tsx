import { Navigate, Route, Routes } from 'react-router';
import { NotFound } from '../components/not-found';
import { ImportPage } from '../imports/import-page';
import { IntegrationsPage } from '../integrations/integrations-page';
import { TaskDetailPage } from '../tasks/task-detail-page';
import { BudgetPage } from './budget-page';
import { ClientTasksPage } from './client-tasks-page';
import { NewTaskPage } from './new-task-page';
import { PreferredAssistantsPage } from './preferred-assistants-page';
import { ProcessPage } from './process-page';
import { SchedulesPage } from './schedules-page';
import { StatementPage } from './statement-page';
import { TemplatesPage } from './templates-page';

export default function ClientArea() {
  return (
    <Routes>
      <Route index element={<Navigate to="/client/tasks" replace />} />
      <Route path="tasks" element={<ClientTasksPage />} />
      <Route path="tasks/new" element={<NewTaskPage />} />
      <Route path="tasks/:id" element={<TaskDetailPage backTo="/client/tasks" backLabel="All tasks" />} />
      <Route path="templates" element={<TemplatesPage />} />
      <Route path="templates/:id" element={<ProcessPage />} />
      <Route path="templates/:id/import" element={<ImportPage />} />
      <Route path="schedules" element={<SchedulesPage />} />
      <Route path="statement" element={<StatementPage />} />
      <Route path="integrations" element={<IntegrationsPage />} />
      <Route path="assistants" element={<PreferredAssistantsPage />} />
      <Route path="budget" element={<BudgetPage />} />
      {/* Not a redirect: a relative one from this splat route resolved against the mistyped address itself, and looped. */}
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
