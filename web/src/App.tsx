import { useEffect, useState } from 'react';
import { api, setCsrfToken } from './api.js';
import { Catalog } from './Catalog.js';
import { SignIn } from './SignIn.js';

type Session = { tenant: { slug: string }; role: string; actor: { label: string }; csrf_token: string | null };

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [health, setHealth] = useState<string>('checking…');

  // The session answer carries the CSRF token too: this tab may not be the one that signed in.
  const loadSession = () =>
    api<Session>('/auth/session').then(
      (s) => {
        setCsrfToken(s.csrf_token);
        setSession(s);
      },
      () => setSession(null),
    );
  useEffect(() => {
    void loadSession();
    api<{ status: string }>('/health').then(
      (h) => setHealth(h.status),
      () => setHealth('unreachable'),
    );
  }, []);

  async function signOut() {
    await api('/auth/sign-out', { method: 'POST' }).catch(() => undefined);
    setCsrfToken(null);
    setSession(null);
  }

  return (
    <div className="mx-auto max-w-4xl p-6">
      <header className="mb-6 flex items-center justify-between">
        <h1 className="text-2xl font-semibold">Sluice</h1>
        <div className="flex items-center gap-4 text-sm">
          <span aria-live="polite">Service: {health}</span>
          {session && (
            <>
              <span>
                {session.actor.label} · {session.tenant.slug} ({session.role})
              </span>
              <button
                type="button"
                className="rounded border border-slate-400 px-3 py-1 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-600"
                onClick={() => void signOut()}
              >
                Sign out
              </button>
            </>
          )}
        </div>
      </header>
      <main>{session === undefined ? <p>Loading…</p> : session ? <Catalog /> : <SignIn onSignedIn={() => void loadSession()} />}</main>
    </div>
  );
}
