import { useRef, useState } from 'react';
import { focusRing, helpText } from './classes.js';

type Props = {
  id: string;
  name: string;
  label: string;
  tags: string[];
  onChange: (tags: string[]) => void;
  describedBy: string | undefined;
  invalid: boolean;
  required: boolean;
  placeholder: string | undefined;
};

/**
 * A list setting (schemas, keys) as tags: type a value, then Enter or a comma adds it (a
 * pasted "a, b" adds both); Backspace in the empty box removes the last. Each tag has a
 * remove button named for it. What is typed is added on leaving the box too, so it is not
 * lost when the person moves straight on to Save.
 */
export function TagInput({ id, name, label, tags, onChange, describedBy, invalid, required, placeholder }: Props) {
  const [draft, setDraft] = useState('');
  const [announcement, setAnnouncement] = useState('');
  const inputRef = useRef<HTMLInputElement>(null);
  const hintId = `${id}-hint`;

  const add = (items: string[]) => {
    const next = [...tags];
    for (const item of items.map((i) => i.trim())) if (item !== '' && !next.includes(item)) next.push(item);
    if (next.length === tags.length) return;
    onChange(next);
    setAnnouncement(`Added ${next.slice(tags.length).join(', ')}`);
  };
  const remove = (index: number) => {
    setAnnouncement(`Removed ${tags[index] ?? ''}`);
    onChange(tags.filter((_, i) => i !== index));
    inputRef.current?.focus(); // the button goes away: keep focus in the field, not on the page
  };

  return (
    <div>
      <div className={`flex flex-wrap items-center gap-2 rounded border bg-white px-2 py-1.5 ${invalid ? 'border-red-800' : 'border-slate-500'} has-[input:focus-visible]:ring-2 has-[input:focus-visible]:ring-blue-700 has-[input:focus-visible]:ring-offset-2`}>
        {tags.length > 0 && (
          <ul aria-label={label} className="flex flex-wrap gap-2">
            {tags.map((tag, i) => (
              <li key={`${i}:${tag}`} className="inline-flex items-center gap-1 rounded bg-slate-100 py-0.5 pl-2 pr-0.5 text-slate-900">
                <span>{tag}</span>
                <button type="button" aria-label={`Remove ${tag}`} className={`rounded px-1.5 text-slate-700 hover:bg-slate-200 hover:text-slate-900 ${focusRing}`} onClick={() => remove(i)}>
                  <span aria-hidden="true">×</span>
                </button>
              </li>
            ))}
          </ul>
        )}
        <input
          ref={inputRef}
          id={id}
          name={name}
          value={draft}
          placeholder={placeholder}
          autoComplete="off"
          spellCheck={false}
          aria-describedby={[hintId, describedBy].filter(Boolean).join(' ')}
          aria-invalid={invalid || undefined}
          aria-required={required || undefined}
          className="min-w-32 flex-1 border-0 bg-transparent p-1 text-slate-900 placeholder:text-slate-600 focus:outline-none"
          onChange={(e) => {
            const parts = e.target.value.split(/[,\n]/);
            if (parts.length > 1) add(parts.slice(0, -1));
            setDraft(parts[parts.length - 1] ?? '');
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault(); // adds a tag; must not submit the form
              add([draft]);
              setDraft('');
            } else if (e.key === 'Backspace' && draft === '' && tags.length > 0) {
              remove(tags.length - 1);
            }
          }}
          onBlur={() => {
            add([draft]);
            setDraft('');
          }}
        />
      </div>
      <p id={hintId} className={`mt-1 ${helpText}`}>Press Enter or type a comma after each one.</p>
      <p className="sr-only" aria-live="polite">{announcement}</p>
    </div>
  );
}
