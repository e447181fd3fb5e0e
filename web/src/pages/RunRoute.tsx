import { lazy, Suspense } from 'react';
import { canChange, useSession } from '../session.js';

const RunPage = lazy(() => import('../runs/RunPage.js').then((m) => ({ default: m.RunPage })));

export function RunRoute({ id }: { id: string }) {
  const session = useSession();
  return (
    <Suspense fallback={<p>Loading the run…</p>}>
      <RunPage id={id} canCancel={canChange(session)} />
    </Suspense>
  );
}
