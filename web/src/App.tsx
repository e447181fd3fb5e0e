import { useEffect, useState } from 'react';
import { api, getToken, setToken } from './api.js';
import { Catalog } from './Catalog.js';
import { SignIn } from './SignIn.js';

export function App() {
  const [signedIn, setSignedIn] = useState(Boolean(getToken()));
  const [health, setHealth] = useState<string>('checking…');

  useEffect(() => {
    api<{ status: string }>('/health').then(
      (h) => setHealth(h.status),
      () => setHealth('unreachable'),
    );
  }, []);

  return (
    <div className="mx-auto max-w-4xl p-6">
      <header className="mb-6 flex items-center justify-between">
        <h1 className="text-2xl font-semibold">Sluice</h1>
        <div className="flex items-center gap-4 text-sm">
          <span aria-live="polite">Service: {health}</span>
          {signedIn && (
            <button
              type="button"
              className="rounded border border-slate-400 px-3 py-1 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-600"
              onClick={() => {
                setToken(null);
                setSignedIn(false);
              }}
            >
              Sign out
            </button>
          )}
        </div>
      </header>
      <main>{signedIn ? <Catalog /> : <SignIn onSignedIn={() => setSignedIn(true)} />}</main>
    </div>
  );
}
