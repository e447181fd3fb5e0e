import { useState, type FormEvent } from 'react';
import { api, setToken } from './api.js';

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [token, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setToken(token.trim());
    try {
      await api('/connectors');
      onSignedIn();
    } catch (e) {
      setToken(null);
      setError(e instanceof Error ? e.message : 'Sign-in failed');
    }
  }

  return (
    <form onSubmit={submit} className="max-w-md space-y-3 rounded-lg bg-white p-6 shadow" aria-labelledby="signin-title">
      <h2 id="signin-title" className="text-lg font-medium">Sign in</h2>
      <p className="text-sm text-slate-700">Paste the access token that <code>npm run up</code> printed.</p>
      <label className="block text-sm font-medium" htmlFor="token">Access token</label>
      <input id="token" type="password" autoComplete="off" value={token} onChange={(e) => setValue(e.target.value)} className="w-full rounded border border-slate-400 px-3 py-2" required />
      {error && <p role="alert" className="text-sm text-red-700">{error}</p>}
      <button type="submit" className="rounded bg-blue-700 px-4 py-2 text-white hover:bg-blue-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-600">Sign in</button>
    </form>
  );
}
