/** Moving focus inside the generated form, whose sections may be folded (<details>). */

// A radio group is entered at its chosen radio, as Tab enters it.
const FOCUSABLE = 'input:not([type=radio]), input[type=radio]:checked, select, textarea, button, summary';

/** Moves focus into an element: itself when it takes focus, else its first input or button. */
export function focusInside(el: Element | null | undefined) {
  const target = el?.matches(FOCUSABLE) ? el : el?.querySelector(FOCUSABLE);
  (target as HTMLElement | null | undefined)?.focus();
}

/** Opens every folded section around an element, so it can be seen and focused. */
export function unfold(el: Element | null | undefined) {
  for (let d = el?.closest('details'); d; d = d.parentElement?.closest('details')) d.open = true;
}
