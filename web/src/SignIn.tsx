import { useState, type FormEvent } from 'react';
import { api, setCsrfToken } from './api.js';

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await api<{ csrf_token: string }>('/auth/sign-in', { method: 'POST', body: JSON.stringify({ email, password }) });
      setCsrfToken(session.csrf_token);
      onSignedIn();
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Sign-in failed');
    } finally {
      setBusy(false);
    }
  }

  const field = 'w-full rounded border border-slate-400 px-3 py-2';
  return (
    <form onSubmit={submit} className="max-w-md space-y-3 rounded-lg bg-white p-6 shadow" aria-labelledby="signin-title">
      <h2 id="signin-title" className="text-lg font-medium">Sign in</h2>
      <p className="text-sm text-slate-700">
        Use the email and password that <code>npm run up</code> printed.
      </p>
      <label className="block text-sm font-medium" htmlFor="email">Email</label>
      <input id="email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} className={field} required />
      <label className="block text-sm font-medium" htmlFor="password">Password</label>
      <input id="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} className={field} required />
      {error && <p role="alert" className="text-sm text-red-700">{error}</p>}
      <button type="submit" disabled={busy} className="rounded bg-blue-700 px-4 py-2 text-white hover:bg-blue-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-600 disabled:opacity-60">
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
