import * as Switch from '@radix-ui/react-switch';
import { focusRing, helpText, inputClass } from './classes.js';
import { SecretInput } from './SecretInput.js';
import { SERVER_MASK, type Field, type FieldValue } from './schema-fields.js';
import { TagInput } from './TagInput.js';

type Props = {
  field: Field;
  value: FieldValue | undefined;
  onValue: (value: FieldValue) => void;
  describedBy: string | undefined;
  invalid: boolean;
  /** Editing, and the connector holds this secret: empty means "keep it". */
  secretKept: boolean;
};

export const KEEP_SECRET = 'Saved — leave empty to keep it';
export const KEEP_SECRET_JSON = 'Saved — enter new JSON to replace it';

/** The person's time zone, as the browser knows it: what a date and time is read in. */
const timeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'your time zone';
/** A note an input adds to its own description (`<id>-note`). */
const withNote = (describedBy: string | undefined, noteId: string) => [noteId, describedBy].filter(Boolean).join(' ');

const asText = (v: FieldValue | undefined) => (typeof v === 'string' ? v : '');

/** The input for one setting, chosen by its kind; every one has id `field-<name>` and name `<name>`. */
export function FieldInput({ field, value, onValue, describedBy, invalid, secretKept }: Props) {
  const common = {
    id: field.id,
    name: field.name,
    'aria-describedby': describedBy,
    'aria-invalid': invalid || undefined,
    'aria-required': field.required || undefined,
  };
  const placeholder = field.secret && secretKept ? KEEP_SECRET : field.placeholder;
  const text = asText(value);

  switch (field.kind) {
    case 'secret':
      // The API's mask stands for a stored secret: it is never shown as if it were the value.
      return <SecretInput {...common} label={field.label} invalid={invalid} value={text === SERVER_MASK ? '' : text} placeholder={placeholder} onChange={(e) => onValue(e.target.value)} />;
    case 'switch': {
      const on = value === true;
      return (
        <div className="flex items-center gap-3">
          {/* asChild: the button itself carries `name`, which Radix would give only to its hidden form input. */}
          <Switch.Root asChild checked={on} onCheckedChange={(checked) => onValue(checked)}>
            <button
              type="button"
              {...common}
              className={`relative inline-flex h-6 w-11 shrink-0 items-center rounded-full border-2 border-transparent bg-slate-500 data-[state=checked]:bg-blue-700 ${focusRing}`}
            >
              <Switch.Thumb className="block h-5 w-5 rounded-full bg-white shadow transition-transform data-[state=checked]:translate-x-5" />
            </button>
          </Switch.Root>
          {/* The state in words too, not only by the thumb's place and colour. */}
          <span aria-hidden="true" className="text-sm text-slate-700">{on ? 'On' : 'Off'}</span>
        </div>
      );
    }
    case 'select': {
      const known = field.options.some((o) => o.value === text);
      return (
        <select {...common} value={text} className={inputClass(invalid)} onChange={(e) => onValue(e.target.value)}>
          {(text === '' || !field.required) && <option value="">{field.required ? 'Choose one' : 'Not set'}</option>}
          {/* A stored value that is no longer a choice stays visible instead of silently becoming another. */}
          {text !== '' && !known && <option value={text}>{text}</option>}
          {field.options.map((o) => (
            <option key={o.value} value={o.value}>{o.label}</option>
          ))}
        </select>
      );
    }
    case 'tags':
      return (
        <TagInput
          id={field.id}
          name={field.name}
          label={field.label}
          tags={Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : []}
          onChange={onValue}
          describedBy={describedBy}
          invalid={invalid}
          required={field.required}
          placeholder={field.placeholder}
        />
      );
    case 'json': {
      const example = field.example ?? '{"key": "value"}';
      const noteId = `${field.id}-note`;
      return (
        <>
          <textarea
            {...common}
            aria-describedby={withNote(describedBy, noteId)}
            rows={field.accepts !== undefined ? 1 : 5}
            value={field.secret && text === SERVER_MASK ? '' : text}
            placeholder={field.secret && secretKept ? KEEP_SECRET_JSON : (field.placeholder ?? example)}
            spellCheck={false}
            autoComplete="off"
            className={`${inputClass(invalid)} font-mono text-sm`}
            onChange={(e) => onValue(e.target.value)}
          />
          <p id={noteId} className={`mt-1 ${helpText}`}>
            {field.accepts ?? (
              <>
                Written as JSON, for example <code className="break-all font-mono">{example}</code>
              </>
            )}
          </p>
        </>
      );
    }
    case 'datetime': {
      const noteId = `${field.id}-note`;
      return (
        <>
          <input {...common} aria-describedby={withNote(describedBy, noteId)} type="datetime-local" value={text} className={inputClass(invalid)} onChange={(e) => onValue(e.target.value)} />
          <p id={noteId} className={`mt-1 ${helpText}`}>In your time zone ({timeZone()}); it is saved as the same moment in UTC.</p>
        </>
      );
    }
    default: {
      // Numbers are typed as text (inputMode brings the number keyboard): type="number" would
      // hide "abc" as an empty value instead of letting validation say what is wrong.
      const type = field.kind === 'date' ? 'date' : field.kind === 'email' ? 'email' : field.kind === 'url' ? 'url' : 'text';
      const inputMode = field.kind === 'integer' ? 'numeric' : field.kind === 'number' ? 'decimal' : field.kind === 'email' ? 'email' : field.kind === 'url' ? 'url' : undefined;
      return (
        <input
          {...common}
          type={type}
          {...(inputMode ? { inputMode } : {})}
          value={text}
          placeholder={placeholder}
          autoComplete="off"
          spellCheck={false}
          className={inputClass(invalid)}
          onChange={(e) => onValue(e.target.value)}
        />
      );
    }
  }
}
