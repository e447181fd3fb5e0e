import { useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { useLocation } from 'wouter';
import { api, setCsrfToken, type ApiError } from '../api.js';
import { primaryButton, textField } from '../ui/styles.js';
import { acceptBody, acceptOutcome, acceptProblems, MIN_PASSWORD_LENGTH, type AcceptForm, type AcceptOutcome, type AccountKind, type FormProblems } from './accept.js';

type Accepted = { user: { email: string; name: string }; tenant: { slug: string; name: string }; role: string; csrf_token: string };

const label = 'mb-1 block font-medium text-slate-900';
const hint = 'mt-1 text-sm text-slate-700';
const fieldError = 'mt-1 text-sm font-medium text-red-800';

function Field(props: { id: string; label: string; hint?: string; error?: string | undefined; children: (describedBy: string | undefined) => ReactNode }) {
  const described = [props.hint ? `${props.id}-hint` : '', props.error ? `${props.id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div>
      <label htmlFor={props.id} className={label}>{props.label}</label>
      {props.children(described)}
      {props.hint && <p id={`${props.id}-hint`} className={hint}>{props.hint}</p>}
      {props.error && <p id={`${props.id}-error`} className={fieldError}>{props.error}</p>}
    </div>
  );
}

/**
 * The page an invitation link opens (`/accept-invitation#token=…`): a new person chooses a
 * password (twice), someone with an account gives its current one; then they are signed in
 * to the organisation that invited them and taken to its start page.
 */
export function AcceptInvitation({ token }: { token: string }) {
  const client = useQueryClient();
  const [, navigate] = useLocation();
  const id = useId();
  const [form, setForm] = useState<AcceptForm>({ kind: 'new', name: '', password: '', again: '' });
  const [problems, setProblems] = useState<FormProblems>({});
  const [outcome, setOutcome] = useState<AcceptOutcome | null>(null);
  const [showPasswords, setShowPasswords] = useState(false);
  const [busy, setBusy] = useState(false);

  const set = (patch: Partial<AcceptForm>) => setForm((f) => ({ ...f, ...patch }));
  const choose = (kind: AccountKind) => {
    setForm((f) => ({ ...f, kind, password: '', again: '' }));
    setProblems({});
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = acceptProblems(form);
    setProblems(found);
    if (Object.keys(found).length > 0) {
      setOutcome({ message: 'Some fields need attention: see the messages below each one.' });
      return;
    }
    setBusy(true);
    setOutcome(null);
    try {
      const accepted = await api<Accepted>('/auth/accept-invitation', { method: 'POST', body: JSON.stringify(acceptBody(token, form)) });
      setCsrfToken(accepted.csrf_token);
      // A new session, possibly in another organisation than one this tab showed: forget what it showed.
      client.removeQueries({ predicate: (query) => query.queryKey[0] !== 'session' });
      await client.invalidateQueries({ queryKey: ['session'] });
      navigate('/', { replace: true });
    } catch (error) {
      const e = error as { status?: number; detail?: ApiError };
      const next = acceptOutcome(form.kind, e.status, e.detail);
      setOutcome(next);
      if (next.switchTo) {
        setForm((f) => ({ ...f, kind: next.switchTo!, password: '', again: '' }));
        setProblems({});
      } else if (next.passwordMessage) setProblems({ password: next.passwordMessage });
      setBusy(false);
    }
  }

  const heading = (
    <h1 id={`${id}-title`} className="text-2xl font-semibold text-slate-900">
      Accept your invitation to Sluice
    </h1>
  );

  if (token === '') {
    return (
      <section aria-labelledby={`${id}-title`} className="space-y-3 rounded-lg bg-white p-6 shadow">
        {heading}
        <p role="alert" className="text-slate-900">
          This link is missing its invitation code. Open the whole link you were given (it is long and ends in a code), or ask the person who invited you for a new one.
        </p>
        <p><a href="/" className="font-medium text-blue-800 underline">Go to the sign-in page</a></p>
      </section>
    );
  }

  if (outcome?.final) {
    return (
      <section aria-labelledby={`${id}-title`} className="space-y-3 rounded-lg bg-white p-6 shadow">
        {heading}
        <p role="alert" className="text-slate-900">{outcome.message}</p>
        {outcome.offerSignIn && <p><a href="/" className="font-medium text-blue-800 underline">Go to the sign-in page</a></p>}
      </section>
    );
  }

  const isNew = form.kind === 'new';
  const passwordType = showPasswords ? 'text' : 'password';
  return (
    <section aria-labelledby={`${id}-title`} className="rounded-lg bg-white p-6 shadow">
      {heading}
      <p className="mt-2 text-slate-900">Someone invited you to their organisation in Sluice. Finish here to join it; you will be signed in straight away.</p>
      <form onSubmit={submit} noValidate className="mt-5 space-y-4">
        {outcome && (
          <p role="alert" className="rounded border border-red-700 bg-red-50 p-3 text-red-900">{outcome.message}</p>
        )}
        <fieldset>
          <legend className="mb-2 font-medium text-slate-900">Do you already have a Sluice account with the email address this invitation was sent to?</legend>
          <div className="space-y-2">
            {([['new', 'No, I am new to Sluice'], ['existing', 'Yes, I already have a Sluice account']] as const).map(([kind, text]) => (
              <label key={kind} className="flex items-center gap-2 text-slate-900">
                <input type="radio" name={`${id}-kind`} value={kind} checked={form.kind === kind} onChange={() => choose(kind)} className="h-4 w-4 accent-blue-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700" />
                {text}
              </label>
            ))}
          </div>
        </fieldset>

        {isNew && (
          <Field id={`${id}-name`} label="Your name (optional)" hint="Shown to the other members. Leave it empty to use the first part of your email address." error={problems.name}>
            {(describedBy) => <input id={`${id}-name`} type="text" autoComplete="name" className={textField} value={form.name} onChange={(e) => set({ name: e.target.value })} aria-describedby={describedBy} aria-invalid={problems.name ? true : undefined} />}
          </Field>
        )}

        <Field
          id={`${id}-password`}
          label={isNew ? 'Choose a password' : 'Your current Sluice password'}
          hint={isNew ? `At least ${MIN_PASSWORD_LENGTH} characters. A few ordinary words in a row are easy to remember and hard to guess.` : 'The password you use to sign in to Sluice today. It stays the same.'}
          error={problems.password}
        >
          {(describedBy) => (
            <input
              id={`${id}-password`}
              type={passwordType}
              autoComplete={isNew ? 'new-password' : 'current-password'}
              className={textField}
              value={form.password}
              onChange={(e) => set({ password: e.target.value })}
              aria-describedby={describedBy}
              aria-invalid={problems.password ? true : undefined}
              required
            />
          )}
        </Field>

        {isNew && (
          <Field id={`${id}-again`} label="Type the password again" hint="So a typing mistake cannot lock you out." error={problems.again}>
            {(describedBy) => (
              <input id={`${id}-again`} type={passwordType} autoComplete="new-password" className={textField} value={form.again} onChange={(e) => set({ again: e.target.value })} aria-describedby={describedBy} aria-invalid={problems.again ? true : undefined} required />
            )}
          </Field>
        )}

        <label className="flex items-center gap-2 text-slate-900">
          <input type="checkbox" checked={showPasswords} onChange={(e) => setShowPasswords(e.target.checked)} className="h-4 w-4 accent-blue-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700" />
          Show {isNew ? 'passwords' : 'password'}
        </label>

        <button type="submit" className={primaryButton} disabled={busy}>
          {busy ? 'Joining…' : 'Join'}
        </button>
      </form>
    </section>
  );
}
