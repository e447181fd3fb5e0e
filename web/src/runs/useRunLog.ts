import { useEffect, useState } from 'react';
import { followRunLog, initialFollowState, type LogFollowState } from './log-follow.js';

/**
 * The run's live log, followed while the page shows it and closed when it leaves. `enabled`:
 * false until the run is known to exist, so a wrong id does not keep a stream retrying.
 */
export function useRunLog(runId: string, enabled = true): LogFollowState {
  const [state, setState] = useState(initialFollowState);
  useEffect(() => {
    // Another run (the route changed): start from nothing, not from the previous run's lines.
    setState(initialFollowState());
    if (!enabled) return;
    return followRunLog(runId, { onChange: setState });
  }, [runId, enabled]);
  return state;
}
