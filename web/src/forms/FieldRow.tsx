import { ChecksInput } from './ChecksInput.js';
import { ChoiceInput } from './ChoiceInput.js';
import { errorText, helpText } from './classes.js';
import { FieldInput } from './FieldInput.js';
import type { Field, FieldValue } from './field-types.js';
import { ItemList } from './ItemList.js';
import { SubFields } from './SubFields.js';
import { isValues } from './field-values.js';

export type RowProps = {
  /** Its `id` is the DOM id (a nested field's prefixed by its parent's). */
  field: Field;
  /** The key of this field's message in `errors`: the setting's name, or a path inside one (`files.1.path`). */
  path: string;
  value: FieldValue | undefined;
  errors: Readonly<Record<string, string>>;
  /** Editing, and the connector holds this secret: left empty, it is kept. */
  secretKept: boolean;
  onValue: (value: FieldValue) => void;
};

/** Kinds with several inputs: a fieldset named by its legend instead of one labelled input. */
const COMPOSITE = new Set(['list', 'choice', 'group', 'checks']);

/** What a saved secret of several inputs means for the person editing it. */
function keptNote(field: Field): string {
  if (field.kind === 'list') return `Saved. Left empty, the saved ${field.itemNoun ?? 'item'}s are kept; add ${field.itemNoun ?? 'item'}s only to replace them all.`;
  if (field.kind === 'json') return 'Saved. Left empty, the saved value is kept; enter new JSON only to replace it.';
  if (field.kind === 'choice') return 'Saved. It is kept unless you choose another below and fill it in, which replaces it.';
  return 'Saved. Left as it is, the saved value is kept; fill this in only to replace it.';
}

/** One setting: its label (or legend), help, limits, input(s) and message. */
export function FieldRow({ field, path, value, errors, secretKept, onValue }: RowProps) {
  const error = errors[path];
  const composite = COMPOSITE.has(field.kind);
  const helpId = field.help !== undefined ? `${field.id}-help` : undefined;
  const hintId = field.hint !== undefined ? `${field.id}-limits` : undefined;
  // A secret of one input says so in its placeholder; one of several inputs (or JSON) in words beside them.
  const keptId = secretKept && (composite || field.kind === 'json') ? `${field.id}-kept` : undefined;
  const errorId = error !== undefined ? `${field.id}-error` : undefined;
  const describedBy = [helpId, hintId, keptId, errorId].filter(Boolean).join(' ') || undefined;
  const name = (
    <>
      {field.label}
      {/* In words, not only a mark: not everyone knows what an asterisk means. */}
      {field.required && <span className="font-normal text-slate-700"> (required)</span>}
    </>
  );
  const notes = (
    <>
      {field.help !== undefined && <p id={helpId} className={`mt-1 ${helpText}`}>{field.help}</p>}
      {field.hint !== undefined && <p id={hintId} className={`mt-1 ${helpText}`}>{field.hint}</p>}
      {keptId !== undefined && <p id={keptId} className={`mt-1 ${helpText}`}>{keptNote(field)}</p>}
    </>
  );
  const message = error !== undefined && <p id={errorId} className={`mt-1 ${errorText}`}>{error}</p>;

  if (composite) {
    const legendId = `${field.id}-legend`;
    return (
      // The id is where focus is sent for this setting: the form moves it to the first input inside.
      <fieldset id={field.id} aria-describedby={describedBy} className="min-w-0">
        <legend id={legendId} className="font-medium text-slate-900">{name}</legend>
        {notes}
        {/* Above the inputs: a list's message must not sit below items it may be about. */}
        {message}
        <div className="mt-2">
          {field.kind === 'list' && <ItemList field={field} path={path} value={value} errors={errors} onValue={onValue} />}
          {field.kind === 'choice' && <ChoiceInput field={field} path={path} value={value} errors={errors} onValue={onValue} legendId={legendId} secretKept={secretKept} />}
          {field.kind === 'checks' && <ChecksInput field={field} value={value} onValue={onValue} />}
          {field.kind === 'group' && (
            <SubFields fields={field.fields ?? []} idPrefix={field.id} path={path} values={isValues(value) ? value : {}} errors={errors} onValues={onValue} />
          )}
        </div>
      </fieldset>
    );
  }
  return (
    <div>
      <label htmlFor={field.id} className="block font-medium text-slate-900">{name}</label>
      {notes}
      <div className="mt-1.5">
        <FieldInput field={field} value={value} onValue={onValue} describedBy={describedBy} invalid={error !== undefined} secretKept={secretKept} />
      </div>
      {message}
    </div>
  );
}
