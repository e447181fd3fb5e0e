import * as Dialog from '@radix-ui/react-dialog';
import { useRef, useState, type ReactNode, type RefObject } from 'react';
import { dangerButton, secondaryButton } from '../ui/styles.js';

/**
 * A button that asks first: the dialog says what will happen, and a refusal from the API is
 * shown inside it in words (`describeError`), so the person knows what to do next.
 */
export function ConfirmDialog(props: {
  /** The button's visible text ("Remove"). */
  triggerText: string;
  /** Its full name for screen readers ("Remove ann@example.com"), when the table row gives the rest. */
  triggerLabel: string;
  title: string;
  description: ReactNode;
  confirmText: string;
  busyText: string;
  keepText?: string;
  action: () => Promise<unknown>;
  describeError: (error: unknown) => string;
  /** After a refusal, e.g. to refresh a list that turned out to be stale. */
  onFailed?: (error: unknown) => void;
  /** Where focus goes after the action worked: its row (and so the button that opened this) is usually gone. */
  focusAfter?: RefObject<HTMLElement | null>;
}) {
  const [open, setOpen] = useState(false);
  const succeeded = useRef(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      await props.action();
      succeeded.current = true;
      setOpen(false);
    } catch (e) {
      setError(props.describeError(e));
      props.onFailed?.(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        setError(null);
      }}
    >
      <Dialog.Trigger className={`${secondaryButton} px-3 py-1`}>
        <span aria-hidden="true">{props.triggerText}</span>
        <span className="sr-only">{props.triggerLabel}</span>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 bg-slate-900/50" />
        <Dialog.Content
          onCloseAutoFocus={(event) => {
            if (succeeded.current && props.focusAfter?.current) {
              event.preventDefault();
              props.focusAfter.current.focus();
            }
            succeeded.current = false;
          }}
          className="fixed left-1/2 top-1/2 w-[32rem] max-w-[95vw] -translate-x-1/2 -translate-y-1/2 rounded-lg bg-white p-6 text-slate-900 shadow-xl">
          <Dialog.Title className="text-lg font-semibold">{props.title}</Dialog.Title>
          <Dialog.Description className="mt-2 text-slate-900">{props.description}</Dialog.Description>
          {error && (
            <p role="alert" className="mt-3 rounded border border-red-700 bg-red-50 p-3 text-red-900">
              {error}
            </p>
          )}
          <div className="mt-5 flex justify-end gap-3">
            <Dialog.Close className={secondaryButton}>{props.keepText ?? 'Cancel'}</Dialog.Close>
            <button type="button" className={dangerButton} disabled={busy} onClick={() => void confirm()}>
              {busy ? props.busyText : props.confirmText}
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
