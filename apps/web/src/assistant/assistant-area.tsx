import { Navigate, Route, Routes } from 'react-router';
import { NotFound } from '../components/not-found';
import { TaskDetailPage } from '../tasks/task-detail-page';
import { BoardPage } from './board-page';
import { EarningsPage } from './earnings-page';
import { MyTasksPage } from './my-tasks-page';
import { ScorecardPage } from './scorecard-page';

export default function AssistantArea() {
  return (
    <Routes>
      <Route index element={<Navigate to="/assistant/board" replace />} />
      <Route path="board" element={<BoardPage />} />
      <Route path="tasks" element={<MyTasksPage />} />
      <Route path="tasks/:id" element={<TaskDetailPage backTo="/assistant/tasks" backLabel="My tasks" />} />
      <Route path="earnings" element={<EarningsPage />} />
      <Route path="scorecard" element={<ScorecardPage />} />
      {/* Not a redirect: a relative one from this splat route resolved against the mistyped address itself, and looped. */}
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
