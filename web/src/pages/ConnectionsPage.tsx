import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { api } from '../api.js';
import { canChange, useSession } from '../session.js';
import type { Connector, Page } from '../types.js';
import { ConfirmDialog } from '../ui/ConfirmDialog.js';
import { card, secondaryButton } from '../ui/styles.js';
import { useWizard } from '../wizard/WizardContext.js';
import { waitForRun } from '../wizard/run-result.js';
import { useCatalog } from './CatalogPage.js';

export const useConnectors = () => useQuery({ queryKey: ['connectors'], queryFn: () => api<Page<Connector>>('/connectors?limit=100').then((r) => r.data) });

/** The badge says the state in words; colour only repeats it. */
function StatusBadge({ connector }: { connector: Connector }) {
  const test = connector.last_test;
  const [text, tone] = !test ? ['Not tested', 'bg-slate-200 text-slate-900'] : test.ok ? ['Working', 'bg-green-100 text-green-900'] : ['Failing', 'bg-red-100 text-red-900'];
  return <span className={`rounded px-2 py-0.5 text-sm font-medium ${tone}`}>{text}</span>;
}

function DeleteConnection({ connector }: { connector: Connector }) {
  const client = useQueryClient();
  return (
    <ConfirmDialog
      trigger="Delete"
      title={`Delete “${connector.name}”?`}
      body={<p>Sluice forgets this connection and its saved password. Data already copied stays in your warehouse. A connection that a pipeline still uses cannot be deleted: delete the pipeline first.</p>}
      confirm="Delete connection"
      pending="Deleting…"
      cancel="Keep it"
      danger
      onConfirm={async () => {
        await api(`/connectors/${connector.id}`, { method: 'DELETE' });
        await client.invalidateQueries({ queryKey: ['connectors'] });
      }}
      explain={(failure) => failure.message}
    />
  );
}

function TestAgain({ connector }: { connector: Connector }) {
  const client = useQueryClient();
  const test = useMutation({
    mutationFn: async () => {
      const { run_id } = await api<{ run_id: string }>(`/connectors/${connector.id}/test`, { method: 'POST' });
      return waitForRun(run_id, () => undefined, new AbortController().signal);
    },
    onSettled: () => void client.invalidateQueries({ queryKey: ['connectors'] }),
  });
  return (
    <>
      <button type="button" className={secondaryButton} disabled={test.isPending} onClick={() => test.mutate()}>
        {test.isPending ? 'Testing…' : 'Test again'}
        <span className="sr-only"> {connector.name}</span>
      </button>
      <span role="status" className="sr-only">{test.isPending ? `Testing ${connector.name}…` : test.data ? `${connector.name}: ${test.data.status === 'succeeded' ? 'working' : 'failing'}` : ''}</span>
      {test.error && <p role="alert" className="text-sm text-red-800">{test.error.message}</p>}
    </>
  );
}

// The settings form (and its JSON Schema validator) loads only when someone edits.
const EditConnection = lazy(() => import('./EditConnection.js').then((m) => ({ default: m.EditConnection })));

function EditSettings({ connector }: { connector: Connector }) {
  const catalog = useCatalog();
  const [open, setOpen] = useState(false);
  const plugin = catalog.data?.find((p) => p.name === connector.plugin);
  return (
    <>
      <button type="button" className={secondaryButton} disabled={!plugin} onClick={() => setOpen(true)}>
        Edit settings<span className="sr-only"> of {connector.name}</span>
      </button>
      {open && plugin && (
        <Suspense fallback={<span role="status">Opening…</span>}>
          <EditConnection connector={connector} plugin={plugin} onClose={() => setOpen(false)} />
        </Suspense>
      )}
    </>
  );
}

export function ConnectionsPage() {
  const connectors = useConnectors();
  const catalog = useCatalog();
  const session = useSession();
  const wizard = useWizard();
  const labelOf = (plugin: string) => catalog.data?.find((p) => p.name === plugin)?.label ?? plugin;
  return (
    <section aria-labelledby="connections-title">
      <h1 id="connections-title" className="mb-4 text-2xl font-semibold">Connections</h1>
      {connectors.error && <p role="alert" className="text-red-800">Your connections could not be loaded: {connectors.error.message}</p>}
      {!connectors.data && !connectors.error && <p>Loading your connections…</p>}
      {connectors.data?.length === 0 && (
        <div className={card}>
          <p className="text-slate-900">Nothing is connected yet. Add an integration to start copying data into your warehouse.</p>
          {canChange(session) && (
            <button type="button" className={`${secondaryButton} mt-3`} onClick={() => wizard.open()}>
              Add your first integration
            </button>
          )}
        </div>
      )}
      <ul className="grid gap-3 md:grid-cols-2">
        {connectors.data?.map((c) => (
          <li key={c.id} className={card} data-testid="connection-card">
            <div className="flex items-start justify-between gap-3">
              <div>
                <h2 className="font-semibold text-slate-900">{c.name}</h2>
                <p className="text-sm text-slate-700">{labelOf(c.plugin)}</p>
              </div>
              <StatusBadge connector={c} />
            </div>
            {c.last_test && !c.last_test.ok && c.last_test.error && <p className="mt-2 text-sm text-red-800">{c.last_test.error}</p>}
            {c.last_test && <p className="mt-1 text-sm text-slate-700">Last tested {new Date(c.last_test.at).toLocaleString()}</p>}
            {canChange(session) && (
              <div className="mt-3 flex flex-wrap gap-2">
                <EditSettings connector={c} />
                <TestAgain connector={c} />
                <DeleteConnection connector={c} />
              </div>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
