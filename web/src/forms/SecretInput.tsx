import { useState, type InputHTMLAttributes } from 'react';
import { inputClass, smallButton } from './classes.js';

type Props = Omit<InputHTMLAttributes<HTMLInputElement>, 'type' | 'className'> & { id: string; label: string; invalid: boolean };

/**
 * A password-like setting: masked, with a button to show what was typed. It never holds a
 * stored secret (the form never gets one); `new-password` keeps the browser from filling in
 * the person's own sign-in password.
 */
export function SecretInput({ id, label, invalid, ...input }: Props) {
  const [shown, setShown] = useState(false);
  return (
    <div className="flex gap-2">
      <input {...input} id={id} type={shown ? 'text' : 'password'} autoComplete="new-password" autoCapitalize="off" spellCheck={false} className={inputClass(invalid)} />
      <button type="button" aria-controls={id} aria-label={`${shown ? 'Hide' : 'Show'} ${label}`} className={smallButton} onClick={() => setShown((s) => !s)}>
        {shown ? 'Hide' : 'Show'}
      </button>
    </div>
  );
}
