import { focusRing } from './classes.js';
import type { Field, FieldValue } from './field-types.js';

type Props = { field: Field; value: FieldValue | undefined; onValue: (value: FieldValue) => void };

/** A list of fixed choices (an array of an enum): a checkbox for each; the ticked ones are sent, in the schema's order. */
export function ChecksInput({ field, value, onValue }: Props) {
  const ticked = Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  const known = field.options.map((o) => o.value);
  // A stored value that is no longer a choice is kept, not silently dropped by the next tick.
  const toggle = (option: string, on: boolean) => onValue([...known.filter((v) => (v === option ? on : ticked.includes(v))), ...ticked.filter((v) => !known.includes(v))]);
  return (
    <div className="space-y-2">
      {field.options.map((o, i) => (
        <div key={o.value} className="flex items-center gap-2">
          <input
            type="checkbox"
            id={`${field.id}--${i}`}
            checked={ticked.includes(o.value)}
            className={`h-4 w-4 accent-blue-700 ${focusRing}`}
            onChange={(e) => toggle(o.value, e.target.checked)}
          />
          <label htmlFor={`${field.id}--${i}`}>{o.label}</label>
        </div>
      ))}
    </div>
  );
}
