import type { ReactNode, RefObject } from 'react';
import { ConfirmDialog as AskFirst } from '../ui/ConfirmDialog.js';
import { secondaryButton } from '../ui/styles.js';

/** The app's confirm dialog, with a row's short button text and its full name for screen readers. */
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
  onFailed?: (error: unknown) => void;
  focusAfter?: RefObject<HTMLElement | null>;
}) {
  return (
    <AskFirst
      trigger={
        <>
          <span aria-hidden="true">{props.triggerText}</span>
          <span className="sr-only">{props.triggerLabel}</span>
        </>
      }
      triggerClassName={`${secondaryButton} px-3 py-1`}
      title={props.title}
      body={<p>{props.description}</p>}
      confirm={props.confirmText}
      pending={props.busyText}
      cancel={props.keepText ?? 'Cancel'}
      danger
      onConfirm={props.action}
      explain={props.describeError}
      {...(props.onFailed ? { onFailed: props.onFailed } : {})}
      {...(props.focusAfter ? { focusAfter: props.focusAfter } : {})}
    />
  );
}
