import { useEffect, useId, useRef, useState } from 'react';
import { primaryButton, secondaryButton, textField } from '../ui/styles.js';

/** Copies text: the clipboard API where the page may use it (HTTPS, localhost), else the selected field. */
async function copyText(text: string, field: HTMLInputElement | null): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall back to the selection below
  }
  if (!field) return false;
  field.focus();
  field.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  }
}

/**
 * Something Sluice shows only now (an API token, an invitation link): a read-only field that
 * selects itself, a copy button that says whether copying worked, and a button to put it away.
 */
export function ShownOnce(props: { title: string; fieldLabel: string; value: string; notice: string; onDone: () => void; doneText?: string }) {
  const id = useId();
  const field = useRef<HTMLInputElement>(null);
  const [status, setStatus] = useState('');
  useEffect(() => {
    // Straight to the value, so keyboard and screen-reader users find it at once.
    field.current?.focus();
    field.current?.select();
  }, [props.value]);

  return (
    <section aria-labelledby={`${id}-title`} className="rounded-lg border-2 border-amber-600 bg-amber-50 p-4">
      <h3 id={`${id}-title`} className="font-semibold text-slate-900">{props.title}</h3>
      <p id={`${id}-notice`} className="mt-1 font-medium text-slate-900">{props.notice}</p>
      <label htmlFor={`${id}-value`} className="mt-3 block font-medium text-slate-900">{props.fieldLabel}</label>
      <div className="mt-1 flex flex-wrap gap-2">
        <input
          ref={field}
          id={`${id}-value`}
          readOnly
          value={props.value}
          aria-describedby={`${id}-notice`}
          onFocus={(e) => e.currentTarget.select()}
          className={`${textField} min-w-0 flex-1 font-mono text-sm`}
        />
        <button
          type="button"
          className={primaryButton}
          onClick={() => void copyText(props.value, field.current).then((ok) => setStatus(ok ? 'Copied.' : 'Your browser did not let Sluice copy it. The text is selected: copy it yourself with Ctrl+C (⌘C on a Mac).'))}
        >
          Copy
        </button>
      </div>
      <p role="status" className="mt-2 min-h-6 text-sm text-slate-900">{status}</p>
      <button type="button" className={`${secondaryButton} mt-2`} onClick={props.onDone}>
        {props.doneText ?? 'I have copied it'}
      </button>
    </section>
  );
}
