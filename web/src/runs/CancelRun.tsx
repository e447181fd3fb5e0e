import * as Dialog from '@radix-ui/react-dialog';
import { useState } from 'react';
import { dangerButton, secondaryButton } from '../ui/styles.js';
import { useCancelRun } from './run-queries.js';
import { cancelConsequence } from './words.js';
import type { RunView } from './types.js';

/** "Cancel run", confirmed in a dialog that says what stops and what stays. */
export function CancelRun({ run }: { run: RunView }) {
  const [open, setOpen] = useState(false);
  const cancel = useCancelRun(run.id);
  const confirm = () => cancel.mutate(undefined, { onSuccess: () => setOpen(false) });
  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        // A refusal shown last time (not allowed, already finished) should not greet the next try.
        if (next) cancel.reset();
      }}
    >
      <Dialog.Trigger asChild>
        <button type="button" className={secondaryButton} data-testid="cancel-run">
          Cancel run
        </button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 bg-slate-900/50" />
        <Dialog.Content data-testid="cancel-dialog" className="fixed left-1/2 top-1/2 w-[min(32rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 rounded-lg bg-white p-6 text-slate-900 shadow-xl">
          <Dialog.Title className="text-lg font-semibold">Cancel this run?</Dialog.Title>
          <Dialog.Description className="mt-2">{cancelConsequence(run)}</Dialog.Description>
          {cancel.error && (
            <p role="alert" className="mt-3 text-red-800">
              {cancel.error.message}
            </p>
          )}
          <div className="mt-6 flex justify-end gap-3">
            <Dialog.Close asChild>
              <button type="button" className={secondaryButton}>
                No, let it continue
              </button>
            </Dialog.Close>
            <button type="button" className={dangerButton} onClick={confirm} disabled={cancel.isPending} data-testid="confirm-cancel-run">
              {cancel.isPending ? 'Cancelling…' : 'Yes, cancel the run'}
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
