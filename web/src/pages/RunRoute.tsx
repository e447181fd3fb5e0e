import { RunPage } from '../runs/RunPage.js';
import { canChange, useSession } from '../session.js';

export function RunRoute({ id }: { id: string }) {
  const session = useSession();
  return <RunPage id={id} canCancel={canChange(session)} />;
}
