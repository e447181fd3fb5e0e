import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { RunFenced, holdsRun, type Claim } from '../core/runs/fence.js';
import type { LogWriter } from '../core/runs/run-log.js';
import type { SlotTrouble } from './tenant-slots.js';

/**
 * A step that failed after a run's plugins had finished (for a sync: after its data landed).
 * The run fails with `userMessage`, and is not retried: running it again would repeat work
 * that is already committed.
 */
export class AfterRunFailure extends Error {
  override name = 'AfterRunFailure';
  constructor(
    readonly userMessage: string,
    options: { cause: unknown },
  ) {
    super(userMessage, options);
  }
}

/**
 * Runs a step that comes after the run's plugins finished; a failure becomes AfterRunFailure
 * saying, in plain words, what could not be done (`what` completes "Sluice could not …").
 * A fenced write (another worker holds the run) is passed on as it is.
 */
export async function afterRun<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof RunFenced) throw error;
    throw new AfterRunFailure(`The run itself finished, but Sluice could not ${what}. It is not run again by itself; the service log has the details.`, { cause: error });
  }
}

const HOLD_CHECK_MS = 15_000;

/**
 * Checks now and then that this attempt still holds the run (a plugin that reports no state
 * for a long time would otherwise go on loading after another worker reclaimed it) and
 * calls `onLost` once when it does not. Returns the function that stops checking.
 */
export function watchHold(db: Db, claim: Claim, onLost: () => void, everyMs = HOLD_CHECK_MS): () => void {
  let lost = false;
  const timer = setInterval(() => {
    void holdsRun(db, claim).then(
      (held) => {
        if (held || lost) return;
        lost = true;
        onLost();
      },
      // Postgres away: the fenced writes refuse what they must; nothing to decide here.
      () => undefined,
    );
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * What a sync does when its tenant slot's renewal goes wrong. The run goes on: the cap shares
 * workers fairly between tenants, it does not keep data correct (the run's attempt fences
 * that), so stopping a sync half way would waste its work for a bookkeeping slip. But it is
 * never silent: a failed renewal is logged as an error, and a slot lost to another run (the
 * tenant now runs one sync more than its cap) is logged and said in the run's log, once.
 */
export function watchSlot(log: Logger, writer: LogWriter): (trouble: SlotTrouble) => void {
  let lost = false;
  return (trouble) => {
    if ('error' in trouble) {
      log.error({ err: trouble.error }, 'could not renew the tenant sync slot: if this lasts a lease, another sync of the tenant may start beside this one');
      return;
    }
    if (trouble.renewal === 'retaken') {
      lost = false;
      log.error('the tenant sync slot of this run had expired while it ran; taken again');
      return;
    }
    // Once per loss: the renewal keeps trying, and says 'retaken' when there is room again.
    if (lost) return;
    lost = true;
    log.error('the tenant sync slot of this run expired while it ran and another sync took it: the tenant runs more syncs at once than its cap');
    writer.write({
      type: 'log',
      level: 'warning',
      message: "Sluice lost count of this sync in your organisation's limit of syncs at once, so one more sync than the limit may run beside it. This sync goes on; nothing needs doing.",
      at: new Date().toISOString(),
    });
  };
}
