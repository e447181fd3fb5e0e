import { primaryButton, secondaryButton } from '../ui/styles.js';

/** Back, and the step form's submit button: the same at the foot of every step. */
export function StepButtons({ onBack, nextLabel = 'Next', busy = false, disabled = false, noNext = false }: { onBack?: () => void; nextLabel?: string; busy?: boolean; disabled?: boolean; noNext?: boolean }) {
  return (
    <div className="mt-6 flex justify-between border-t border-slate-200 pt-4">
      {onBack ? (
        <button type="button" className={secondaryButton} onClick={onBack}>
          Back
        </button>
      ) : (
        <span />
      )}
      {!noNext && (
        <button type="submit" className={primaryButton} disabled={busy || disabled}>
          {nextLabel}
        </button>
      )}
    </div>
  );
}
