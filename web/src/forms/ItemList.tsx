import { useEffect, useRef, useState } from 'react';
import { helpText, smallButton } from './classes.js';
import type { Field, FieldValue, FormValues } from './field-types.js';
import { isValues, valuesOf } from './field-values.js';
import { focusInside } from './focus.js';
import { SubFields } from './SubFields.js';

type Props = { field: Field; path: string; value: FieldValue | undefined; errors: Readonly<Record<string, string>>; onValue: (value: FieldValue) => void };

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * A list of objects (files, reports, tables) as a repeatable sub-form: one numbered fieldset
 * per item with its fields and a Remove button named for it ("Remove file 2"), and an
 * "Add file" button. Focus follows: into the new item, or after a removal to the item that
 * took its place (the Add button when none is left); both are announced.
 */
export function ItemList({ field, path, value, errors, onValue }: Props) {
  const items: FormValues[] = Array.isArray(value) ? value.filter(isValues) : [];
  const fields = field.fields ?? [];
  const noun = field.itemNoun ?? 'item';
  const addId = `${field.id}--add`;
  const itemId = (i: number) => `${field.id}-${i}`;
  // Stable keys, so an item's own input state (a half-typed tag, a shown secret) stays with it when one before it goes.
  const keys = useRef<number[]>([]);
  const nextKey = useRef(0);
  while (keys.current.length < items.length) keys.current.push(nextKey.current++);
  keys.current.length = items.length;
  const [announcement, setAnnouncement] = useState('');
  const [focusTarget, setFocusTarget] = useState<string | null>(null);
  const rootRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (focusTarget === null) return;
    focusInside(rootRef.current?.querySelector(`#${CSS.escape(focusTarget)}`));
    setFocusTarget(null);
  }, [focusTarget]);

  const full = field.maxItems !== undefined && items.length >= field.maxItems;
  const add = () => {
    onValue([...items, valuesOf(fields, {})]);
    setAnnouncement(`Added ${noun} ${items.length + 1}`);
    setFocusTarget(itemId(items.length));
  };
  const remove = (index: number) => {
    keys.current.splice(index, 1);
    onValue(items.filter((_, i) => i !== index));
    setAnnouncement(`Removed ${noun} ${index + 1}`);
    const left = items.length - 1;
    setFocusTarget(left > 0 ? itemId(Math.min(index, left - 1)) : addId);
  };
  const change = (index: number, next: FormValues) => onValue(items.map((item, i) => (i === index ? next : item)));

  return (
    <div ref={rootRef} className="space-y-3">
      {items.length === 0 && <p className={helpText}>None added yet.</p>}
      {items.length > 0 && (
        <ol className="space-y-3">
          {items.map((item, i) => (
            <li key={keys.current[i]}>
              <fieldset id={itemId(i)} className="min-w-0 rounded border border-slate-300 p-4">
                <legend className="px-1 font-medium text-slate-900">{capitalised(noun)} {i + 1}</legend>
                <SubFields fields={fields} idPrefix={itemId(i)} path={`${path}.${i}`} values={item} errors={errors} onValues={(next) => change(i, next)} />
                <button type="button" aria-label={`Remove ${noun} ${i + 1}`} className={`mt-4 ${smallButton}`} onClick={() => remove(i)}>
                  Remove
                </button>
              </fieldset>
            </li>
          ))}
        </ol>
      )}
      <button id={addId} type="button" className={smallButton} onClick={add} disabled={full}>
        Add {noun}
      </button>
      {full && <p className={helpText}>At most {field.maxItems}.</p>}
      <p className="sr-only" aria-live="polite">{announcement}</p>
    </div>
  );
}
