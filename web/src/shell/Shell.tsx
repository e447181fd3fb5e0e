import { lazy, Suspense } from 'react';
import { Link, Route, Switch, useLocation } from 'wouter';
import { CatalogPage } from '../pages/CatalogPage.js';
import { ConnectionsPage } from '../pages/ConnectionsPage.js';
import { RunRoute } from '../pages/RunRoute.js';
import { canChange, useSignOut, type Session } from '../session.js';
import { focusRing, primaryButton, secondaryButton } from '../ui/styles.js';
import { WizardProvider, useWizard } from '../wizard/WizardContext.js';
import { TenantSwitcher } from './TenantSwitcher.js';

// Schedules in words need a cron reader and a time-zone library: loaded with the pages that show them.
const PipelinesPage = lazy(() => import('../pipelines/PipelinesPage.js').then((m) => ({ default: m.PipelinesPage })));
const SettingsPage = lazy(() => import('../settings/SettingsPage.js').then((m) => ({ default: m.SettingsPage })));
const PipelinePage = lazy(() => import('../pipelines/PipelinePage.js').then((m) => ({ default: m.PipelinePage })));

const sections = [
  { href: '/', label: 'Connections' },
  { href: '/pipelines', label: 'Pipelines' },
  { href: '/catalog', label: 'Catalog' },
  { href: '/settings', label: 'Settings' },
];

function Nav() {
  const [location] = useLocation();
  return (
    <nav aria-label="Main">
      <ul className="flex gap-1">
        {sections.map((s) => {
          const current = s.href === '/' ? location === '/' : location.startsWith(s.href);
          return (
            <li key={s.href}>
              <Link href={s.href} aria-current={current ? 'page' : undefined} className={`block rounded px-3 py-2 font-medium ${current ? 'bg-blue-100 text-blue-900' : 'text-slate-800 hover:bg-slate-100'} ${focusRing}`}>
                {s.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

function AddButton() {
  const wizard = useWizard();
  return (
    <button type="button" className={primaryButton} onClick={() => wizard.open()}>
      Add integration
    </button>
  );
}

/** The signed-in app: header (with the workspace switcher), navigation, the page, and the add-integration wizard over it. */
export function Shell({ session }: { session: Session }) {
  const signOut = useSignOut();
  return (
    <WizardProvider>
      <a href="#content" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:p-2">
        Skip to content
      </a>
      <header className="border-b border-slate-300 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-4 px-6 py-3">
          <span className="text-xl font-semibold text-slate-900">Sluice</span>
          <Nav />
          <div className="ml-auto flex items-center gap-3 text-sm text-slate-800">
            {canChange(session) && <AddButton />}
            <TenantSwitcher session={session} />
            <span data-testid="signed-in-as">
              {session.actor.label} · {session.tenant.name ?? session.tenant.slug} ({session.role})
            </span>
            <button type="button" className={secondaryButton} onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        </div>
      </header>
      <main id="content" className="mx-auto max-w-6xl px-6 py-6">
        <Switch>
          <Route path="/">{() => <ConnectionsPage />}</Route>
          <Route path="/catalog">{() => <CatalogPage />}</Route>
          <Route path="/pipelines">
            {() => (
              <Suspense fallback={<p>Loading your pipelines…</p>}>
                <PipelinesPage />
              </Suspense>
            )}
          </Route>
          <Route path="/pipelines/:id">
            {(params) => (
              <Suspense fallback={<p>Loading the pipeline…</p>}>
                <PipelinePage id={params.id} />
              </Suspense>
            )}
          </Route>
          <Route path="/settings">
            {() => (
              <Suspense fallback={<p>Loading the settings…</p>}>
                <SettingsPage />
              </Suspense>
            )}
          </Route>
          <Route path="/runs/:id">{(params) => <RunRoute id={params.id} />}</Route>
          <Route>
            <h1 className="text-xl font-semibold">Page not found</h1>
            <p className="mt-2">
              <Link href="/" className="text-blue-800 underline">Go to your connections</Link>
            </p>
          </Route>
        </Switch>
      </main>
    </WizardProvider>
  );
}
