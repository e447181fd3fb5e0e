import * as Dialog from '@radix-ui/react-dialog';
import { useRef, useState, type ReactNode, type RefObject } from 'react';
import { failureOf, type ApiFailure } from '../api.js';
import { dangerButton, primaryButton, secondaryButton } from './styles.js';

/**
 * A button that asks first: a Radix dialog saying in plain words what will happen, with
 * "Keep" (focused first, the safe choice) and the action. A refusal from the server is shown in
 * the dialog (`explain` turns it into words), which stays open so the person can act on it.
 */
export function ConfirmDialog(props: {
  trigger: ReactNode;
  /** Accessible name of the trigger, when its text alone would be ambiguous on the page. */
  triggerLabel?: string;
  triggerClassName?: string;
  triggerTestId?: string;
  title: string;
  /** What happens, in sentences (rendered as the dialog's description). */
  body: ReactNode;
  confirm: string;
  pending: string;
  cancel: string;
  danger?: boolean;
  testId?: string;
  onConfirm: () => Promise<unknown>;
  explain: (failure: ApiFailure) => ReactNode;
  /** After a refusal, e.g. to refresh a list that turned out to be stale. */
  onFailed?: (failure: ApiFailure) => void;
  /** Where focus goes after the action worked: its row (and so the button that opened this) is often gone. */
  focusAfter?: RefObject<HTMLElement | null>;
}) {
  const [open, setOpen] = useState(false);
  const succeeded = useRef(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ReactNode>(null);
  const go = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await props.onConfirm();
      succeeded.current = true;
      setOpen(false);
    } catch (error) {
      const failure = failureOf(error);
      setProblem(props.explain(failure));
      props.onFailed?.(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) setProblem(null);
      }}
    >
      <Dialog.Trigger asChild>
        <button type="button" className={props.triggerClassName ?? secondaryButton} data-testid={props.triggerTestId} {...(props.triggerLabel ? { 'aria-label': props.triggerLabel } : {})}>
          {props.trigger}
        </button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 bg-slate-900/50" />
        <Dialog.Content
          data-testid={props.testId}
          onCloseAutoFocus={(event) => {
            if (succeeded.current && props.focusAfter?.current) {
              event.preventDefault();
              props.focusAfter.current.focus();
            }
            succeeded.current = false;
          }}
          className="fixed left-1/2 top-1/2 max-h-[90vh] w-[min(34rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 overflow-y-auto rounded-lg bg-white p-6 text-slate-900 shadow-xl">
          <Dialog.Title className="text-lg font-semibold">{props.title}</Dialog.Title>
          <Dialog.Description asChild>
            <div className="mt-3 space-y-2">{props.body}</div>
          </Dialog.Description>
          {problem && (
            <div role="alert" className="mt-4 rounded border border-red-700 bg-red-50 p-3 text-red-900">
              {problem}
            </div>
          )}
          <div className="mt-6 flex flex-wrap justify-end gap-3">
            <Dialog.Close asChild>
              <button type="button" className={secondaryButton}>
                {props.cancel}
              </button>
            </Dialog.Close>
            <button type="button" className={props.danger ? dangerButton : primaryButton} disabled={busy} onClick={() => void go()} data-testid={props.testId ? `${props.testId}-confirm` : undefined}>
              {busy ? props.pending : props.confirm}
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
