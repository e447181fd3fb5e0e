import { createContext, lazy, Suspense, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { getDraft, resetDraft, updateDraft } from './draft.js';

// Loaded the first time someone opens it: the pages most people see first stay small.
const WizardDialog = lazy(() => import('./WizardDialog.js').then((m) => ({ default: m.WizardDialog })));

type Wizard = { open: (plugin?: string) => void };
const WizardContext = createContext<Wizard>({ open: () => undefined });

export const useWizard = () => useContext(WizardContext);

/** One wizard for the whole app: any page can open it, at a chosen source or where the draft left off. */
export function WizardProvider({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const [used, setUsed] = useState(false);
  // Where focus goes back to when the wizard closes: the button (or card) that opened it.
  const opener = useRef<HTMLElement | null>(null);
  const wizard = useMemo<Wizard>(
    () => ({
      open: (plugin) => {
        opener.current = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
        if (plugin && getDraft().plugin !== plugin) {
          resetDraft();
          updateDraft({ plugin, step: 2 });
        }
        setUsed(true);
        setOpen(true);
      },
    }),
    [],
  );
  return (
    <WizardContext.Provider value={wizard}>
      {children}
      {used && (
        <Suspense fallback={<p role="status" className="fixed inset-x-0 top-20 mx-auto w-fit rounded bg-white p-3 shadow">Opening…</p>}>
          <WizardDialog open={open} onOpenChange={setOpen} returnFocus={() => opener.current} />
        </Suspense>
      )}
    </WizardContext.Provider>
  );
}
