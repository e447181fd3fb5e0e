import { useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useLocation } from 'wouter';
import { api, setCsrfToken } from '../api.js';
import { sessionQuery, type Session } from '../session.js';
import { focusRing, secondaryButton } from '../ui/styles.js';
import { switchProblem, workspaceOption } from './switch-words.js';

/**
 * Moves the browser session to another of the person's workspaces (tenants). Shown only to
 * someone in more than one. The choice takes effect on "Switch", not on every arrow key in
 * the list: a keyboard user browsing the options is not carried off to another workspace.
 * A switch is a new session: new CSRF token, nothing cached from the workspace left behind.
 */
export function TenantSwitcher({ session }: { session: Session }) {
  const client = useQueryClient();
  const [, navigate] = useLocation();
  const id = useId();
  const [chosen, setChosen] = useState(session.tenant.slug);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  if (session.tenants.length < 2) return null;
  const target = session.tenants.find((t) => t.slug === chosen);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!target || target.slug === session.tenant.slug) return;
    setBusy(true);
    setProblem(null);
    try {
      const switched = await api<{ csrf_token: string }>('/auth/switch-tenant', { method: 'POST', body: JSON.stringify({ tenant: target.slug }) });
      setCsrfToken(switched.csrf_token);
    } catch (error) {
      setProblem(switchProblem(error, target.name));
      setBusy(false);
      // An ended session shows the sign-in page.
      if ((error as { status?: number }).status === 401) void client.invalidateQueries({ queryKey: ['session'] });
      return;
    }
    // Nothing the other workspace showed may linger: connections, pipelines, runs, members.
    client.clear();
    try {
      await client.fetchQuery(sessionQuery);
      navigate('/');
    } catch {
      setProblem(`You are now in ${target.name}, but its page could not be loaded. Reload the page.`);
      setBusy(false);
    }
  }

  return (
    <div className="flex flex-col gap-1">
      <form onSubmit={(e) => void submit(e)} className="flex items-center gap-2" aria-label="Switch workspace">
        <label htmlFor={id} className="font-medium text-slate-900">
          Workspace
        </label>
        <select
          id={id}
          value={chosen}
          disabled={busy}
          onChange={(e) => setChosen(e.target.value)}
          className={`max-w-[16rem] rounded border border-slate-500 bg-white px-2 py-2 text-slate-900 ${focusRing}`}
        >
          {session.tenants.map((t) => (
            <option key={t.slug} value={t.slug}>
              {workspaceOption(t)}
            </option>
          ))}
        </select>
        <button type="submit" className={secondaryButton} disabled={busy || chosen === session.tenant.slug}>
          {busy ? 'Switching…' : 'Switch'}
        </button>
      </form>
      <div aria-live="polite" className="sr-only">
        {busy && target ? `Opening ${target.name}…` : ''}
      </div>
      {problem ? (
        <p role="alert" className="max-w-sm text-sm text-red-800">
          {problem}
        </p>
      ) : null}
    </div>
  );
}
