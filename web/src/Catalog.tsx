import { useEffect, useState } from 'react';
import { api } from './api.js';

type Plugin = { name: string; kind: string; label: string; description: string; category: string };

/** The catalog of what can be connected; the wizard (next issues) starts from a card here. */
export function Catalog() {
  const [plugins, setPlugins] = useState<Plugin[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<{ data: Plugin[] }>('/catalog').then(
      (r) => setPlugins(r.data),
      (e: Error) => setError(e.message),
    );
  }, []);

  if (error) return <p role="alert" className="text-red-700">{error}</p>;
  if (!plugins) return <p>Loading the catalog…</p>;
  return (
    <section aria-labelledby="catalog-title">
      <h2 id="catalog-title" className="mb-3 text-lg font-medium">Add an integration</h2>
      <ul className="grid gap-3 sm:grid-cols-2">
        {plugins.map((p) => (
          <li key={p.name} className="rounded-lg bg-white p-4 shadow">
            <p className="font-medium">{p.label}</p>
            <p className="text-xs uppercase tracking-wide text-slate-600">{p.kind === 'extractor' ? 'Source' : 'Destination'} · {p.category}</p>
            <p className="mt-1 text-sm text-slate-700">{p.description}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
