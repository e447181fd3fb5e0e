/** The few class lists every page shares, so buttons and fields look and focus alike. */
export const focusRing = 'focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-700 focus-visible:ring-offset-2';
export const primaryButton = `rounded bg-blue-700 px-4 py-2 font-medium text-white hover:bg-blue-800 disabled:opacity-60 ${focusRing}`;
export const secondaryButton = `rounded border border-slate-500 bg-white px-4 py-2 font-medium text-slate-900 hover:bg-slate-100 disabled:opacity-60 ${focusRing}`;
export const dangerButton = `rounded bg-red-700 px-4 py-2 font-medium text-white hover:bg-red-800 disabled:opacity-60 ${focusRing}`;
export const textField = `w-full rounded border border-slate-500 bg-white px-3 py-2 text-slate-900 ${focusRing}`;
export const card = 'rounded-lg border border-slate-300 bg-white p-4';
