import { useUser } from '../auth/auth-context';
import { PageHeader } from '../components/page-header';
import { ScorecardCard } from '../quality/scorecard-card';

/** The assistant's own record: what clients see of it is the rating and the on-time rate. */
export function ScorecardPage() {
  const user = useUser();
  return (
    <>
      <PageHeader title="Scorecard" description="Counted over the tasks accepted in the window. Clients who worked with you see your average rating and on-time rate." />
      <ScorecardCard assistantId={user.id} title="Your record" />
    </>
  );
}
