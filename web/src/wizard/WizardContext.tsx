import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { getDraft, resetDraft, updateDraft } from './draft.js';
import { WizardDialog } from './WizardDialog.js';

type Wizard = { open: (plugin?: string) => void };
const WizardContext = createContext<Wizard>({ open: () => undefined });

export const useWizard = () => useContext(WizardContext);

/** One wizard for the whole app: any page can open it, at a chosen source or where the draft left off. */
export function WizardProvider({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const wizard = useMemo<Wizard>(
    () => ({
      open: (plugin) => {
        if (plugin && getDraft().plugin !== plugin) {
          resetDraft();
          updateDraft({ plugin, step: 2 });
        }
        setOpen(true);
      },
    }),
    [],
  );
  return (
    <WizardContext.Provider value={wizard}>
      {children}
      <WizardDialog open={open} onOpenChange={setOpen} />
    </WizardContext.Provider>
  );
}
