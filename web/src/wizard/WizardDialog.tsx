import * as Dialog from '@radix-ui/react-dialog';
import { useEffect, useRef } from 'react';
import { focusRing } from '../ui/styles.js';
import { getDraft, updateDraft, useDraft } from './draft.js';
import { ChooseData } from './steps/ChooseData.js';
import { ChooseSource } from './steps/ChooseSource.js';
import { Configure } from './steps/Configure.js';
import { Review } from './steps/Review.js';
import { Schedule } from './steps/Schedule.js';
import { TestConnection } from './steps/TestConnection.js';

export const STEPS = ['Choose a source', 'Settings', 'Test connection', 'Choose data', 'Schedule', 'Review'] as const;

function StepIndicator({ step }: { step: number }) {
  return (
    <ol className="mb-5 flex flex-wrap gap-x-4 gap-y-1 text-sm" aria-label="Steps">
      {STEPS.map((label, index) => {
        const n = index + 1;
        const state = n < step ? 'done' : n === step ? 'current' : 'todo';
        return (
          <li key={label} aria-current={state === 'current' ? 'step' : undefined} className={state === 'current' ? 'font-semibold text-blue-900' : state === 'done' ? 'text-slate-800' : 'text-slate-700'}>
            <span aria-hidden="true">{state === 'done' ? '✓' : `${n}.`}</span> {label}
            {state === 'done' && <span className="sr-only"> (done)</span>}
          </li>
        );
      })}
    </ol>
  );
}

/** The add-integration wizard: one step at a time; closing keeps the draft. */
export function WizardDialog({ open, onOpenChange, returnFocus }: { open: boolean; onOpenChange: (open: boolean) => void; returnFocus: () => HTMLElement | null }) {
  const draft = useDraft();
  const heading = useRef<HTMLHeadingElement>(null);
  const body = useRef<HTMLDivElement>(null);
  // Each new step is announced by moving focus to its heading, unless the step put it on a
  // field itself (the setting a failed test named).
  useEffect(() => {
    const active = document.activeElement;
    const onField = active instanceof HTMLElement && body.current?.contains(active) && active.matches('input, select, textarea');
    if (open && !onField) heading.current?.focus();
  }, [draft.step, open]);
  const go = (step: number) => updateDraft({ step });
  const close = () => onOpenChange(false);
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 bg-slate-900/50" />
        <Dialog.Content
          aria-describedby={undefined}
          className="fixed left-1/2 top-1/2 flex max-h-[92vh] w-[56rem] max-w-[96vw] -translate-x-1/2 -translate-y-1/2 flex-col overflow-hidden rounded-lg bg-white shadow-xl"
          onCloseAutoFocus={(event) => {
            const back = returnFocus();
            if (back?.isConnected) {
              event.preventDefault();
              back.focus();
            }
          }}
          onOpenAutoFocus={(event) => {
            event.preventDefault();
            if (!getDraft().focusSetting) heading.current?.focus();
          }}
        >
          <div className="flex items-center justify-between border-b border-slate-300 px-6 py-3">
            <Dialog.Title className="text-lg font-semibold">Add integration</Dialog.Title>
            <Dialog.Close className={`rounded px-2 py-1 text-slate-800 hover:bg-slate-100 ${focusRing}`} aria-label="Close (your answers are kept)">
              ✕
            </Dialog.Close>
          </div>
          <div ref={body} className="overflow-y-auto px-6 py-4">
            <StepIndicator step={draft.step} />
            <h2 ref={heading} tabIndex={-1} className="mb-3 text-xl font-semibold outline-none">
              {STEPS[draft.step - 1]}
            </h2>
            {draft.step === 1 && <ChooseSource onNext={() => go(2)} />}
            {draft.step === 2 && <Configure onBack={() => go(1)} onNext={() => go(3)} />}
            {draft.step === 3 && <TestConnection onBack={() => go(2)} onNext={() => go(4)} />}
            {draft.step === 4 && <ChooseData onBack={() => go(3)} onNext={() => go(5)} />}
            {draft.step === 5 && <Schedule onBack={() => go(4)} onNext={() => go(6)} />}
            {draft.step === 6 && <Review onBack={() => go(5)} onDone={close} />}
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
