import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api.js';
import type { Page, Plugin } from '../types.js';
import { PluginIcon } from '../ui/PluginIcon.js';
import { card, focusRing, textField } from '../ui/styles.js';
import { useWizard } from '../wizard/WizardContext.js';
import { matchingSources, sourcesByLabel } from './catalog-filter.js';

export const useCatalog = () => useQuery({ queryKey: ['catalog'], queryFn: () => api<Page<Plugin>>('/catalog').then((r) => r.data), staleTime: 300_000 });

/** Sources a person can add, filtered by words and category. Shared by this page and the wizard's first step. */
export function CatalogPicker({ onPick }: { onPick: (plugin: Plugin) => void }) {
  const catalog = useCatalog();
  const [words, setWords] = useState('');
  const [category, setCategory] = useState('all');
  if (catalog.error) return <p role="alert" className="text-red-800">The catalog could not be loaded: {catalog.error.message} Reload the page to try again.</p>;
  if (!catalog.data) return <p>Loading the catalog…</p>;
  const sources = sourcesByLabel(catalog.data);
  const categories = [...new Set(sources.map((p) => p.category))].sort();
  const shown = matchingSources(sources, words, category);
  return (
    <div>
      <div className="mb-4 flex flex-wrap gap-3">
        <div className="min-w-60 flex-1">
          <label htmlFor="catalog-search" className="mb-1 block text-sm font-medium">Search sources</label>
          <input id="catalog-search" type="search" className={textField} value={words} onChange={(e) => setWords(e.target.value)} placeholder="e.g. PostgreSQL" />
        </div>
        <div>
          <label htmlFor="catalog-category" className="mb-1 block text-sm font-medium">Category</label>
          <select id="catalog-category" className={textField} value={category} onChange={(e) => setCategory(e.target.value)}>
            <option value="all">All categories</option>
            {categories.map((c) => (
              <option key={c} value={c}>{c[0]!.toUpperCase() + c.slice(1)}</option>
            ))}
          </select>
        </div>
      </div>
      <p aria-live="polite" className="sr-only">{shown.length} sources shown</p>
      {shown.length === 0 ? (
        <p>No source matches “{words}”. Try another word or “All categories”.</p>
      ) : (
        <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
          {shown.map((p) => (
            <li key={p.name}>
              <button type="button" onClick={() => onPick(p)} className={`${card} flex h-full w-full items-start gap-3 text-left hover:border-blue-700 ${focusRing}`}>
                <PluginIcon label={p.label} iconUrl={p.icon_url} />
                <span>
                  <span className="block font-semibold text-slate-900">{p.label}</span>
                  <span className="block text-xs uppercase tracking-wide text-slate-700">{p.category}</span>
                  <span className="mt-1 block text-sm text-slate-800">{p.description}</span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function CatalogPage() {
  const wizard = useWizard();
  return (
    <section aria-labelledby="catalog-title">
      <h1 id="catalog-title" className="mb-4 text-2xl font-semibold">Add an integration</h1>
      <p className="mb-4 text-slate-800">Choose where your data comes from. Sluice asks for the settings, checks the connection, and copies the data into your warehouse on a schedule.</p>
      <CatalogPicker onPick={(p) => wizard.open(p.name)} />
    </section>
  );
}
