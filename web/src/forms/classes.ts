/**
 * The form's class lists, in one place so every input looks and focuses alike (they follow
 * web/src/ui/styles.ts). Contrast on white: text slate-900 (AAA), help and placeholders
 * slate-700/600 (AAA), errors red-800 (AAA), borders slate-500 (3:1 for controls).
 */
export const focusRing = 'focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-700 focus-visible:ring-offset-2';
const inputBase = 'w-full rounded border bg-white px-3 py-2 text-slate-900 placeholder:text-slate-600';
export const inputClass = (invalid: boolean) => `${inputBase} ${invalid ? 'border-red-800' : 'border-slate-500'} ${focusRing}`;
export const smallButton = `shrink-0 rounded border border-slate-500 bg-white px-3 py-2 text-sm font-medium text-slate-900 hover:bg-slate-100 ${focusRing}`;
export const helpText = 'text-sm text-slate-700';
export const errorText = 'text-sm font-medium text-red-800';
