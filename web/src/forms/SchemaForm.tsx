import { useEffect, useMemo, useRef } from 'react';
import { errorText, focusRing, helpText } from './classes.js';
import { FieldInput } from './FieldInput.js';
import { chosenWay, FORM_ERROR, formModel, shownFields, WAY_KEY, type ConfigSchema, type Field, type FieldValue, type FormValues, type Mode } from './schema-fields.js';

export type SchemaFormProps = {
  /** The catalog's `config_schema` for the connector type. */
  schema: ConfigSchema;
  /** Start it with `initialValues(formModel(schema), ...)`: a missing value shows as empty, and is sent as empty. */
  value: FormValues;
  /** `changed`: the setting (or WAY_KEY) that changed, e.g. to drop its now stale error. */
  onChange: (value: FormValues, changed: string) => void;
  /** From validateConfig/checkForm or serverFieldErrors: one message per setting, `_form` for the whole. */
  errors: Readonly<Record<string, string>>;
  mode: Mode;
  /** Editing: the secrets the connector holds (storedSecretNames of the API's `secrets`). */
  secretsStored?: readonly string[] | undefined;
  /** A setting name (or `_form`) to move focus to whenever it changes to it. */
  focusField?: string | null | undefined;
};

/** The id of the form-level error area (focus it with focusField `_form`). */
export const FORM_ERROR_ID = 'field-_form';

type RowProps = { field: Field; value: FieldValue | undefined; error: string | undefined; secretKept: boolean; onValue: (v: FieldValue) => void };

function FieldRow({ field, value, error, secretKept, onValue }: RowProps) {
  const helpId = field.help !== undefined ? `${field.id}-help` : undefined;
  const errorId = error !== undefined ? `${field.id}-error` : undefined;
  const describedBy = [helpId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div>
      <label htmlFor={field.id} className="block font-medium text-slate-900">
        {field.label}
        {/* In words, not only a mark: not everyone knows what an asterisk means. */}
        {field.required && <span className="font-normal text-slate-700"> (required)</span>}
      </label>
      {field.help !== undefined && <p id={helpId} className={`mt-1 ${helpText}`}>{field.help}</p>}
      <div className="mt-1.5">
        <FieldInput field={field} value={value} onValue={onValue} describedBy={describedBy} invalid={error !== undefined} secretKept={secretKept} />
      </div>
      {error !== undefined && <p id={errorId} className={`mt-1 ${errorText}`}>{error}</p>}
    </div>
  );
}

/**
 * A connector's settings form, generated from its catalog schema: the ways to connect to
 * choose from, the settings of the chosen one, and the optional ones under "Advanced
 * settings". Controlled: the page holds the values, validates and submits (checkForm).
 */
export function SchemaForm({ schema, value, onChange, errors, mode, secretsStored = [], focusField }: SchemaFormProps) {
  const model = useMemo(() => formModel(schema), [schema]);
  const { main, advanced } = shownFields(model, value);
  const way = chosenWay(model, value);
  const rootRef = useRef<HTMLDivElement>(null);
  const advancedRef = useRef<HTMLDetailsElement>(null);

  // Settings are looked up inside this form only: the page may hold other forms with the same ids.
  const element = (id: string) => rootRef.current?.querySelector<HTMLElement>(`#${CSS.escape(id)}`) ?? null;

  // Only a new focusField moves focus, not every render (`element` reads a ref: no dependency).
  useEffect(() => {
    if (!focusField) return;
    if (focusField === FORM_ERROR) {
      element(FORM_ERROR_ID)?.focus();
      return;
    }
    const field = model.fields.find((f) => f.name === focusField);
    if (!field) return;
    // <details> is left to the browser (uncontrolled); opening it first makes its inputs focusable.
    if (field.advanced && advancedRef.current) advancedRef.current.open = true;
    element(field.id)?.focus(); // a field of a way not chosen is not on screen: nothing to focus
  }, [focusField, model]);

  // An error in a folded-away setting must not stay hidden.
  const advancedError = advanced.some((f) => errors[f.name] !== undefined);
  useEffect(() => {
    if (advancedError && advancedRef.current) advancedRef.current.open = true;
  }, [advancedError, errors]);

  const row = (field: Field) => (
    <FieldRow
      key={field.name}
      field={field}
      value={value[field.name]}
      error={errors[field.name]}
      secretKept={mode === 'edit' && field.secret && secretsStored.includes(field.name)}
      onValue={(v) => onChange({ ...value, [field.name]: v }, field.name)}
    />
  );

  return (
    <div ref={rootRef} className="space-y-6 text-slate-900">
      {/* Always there, so a message appearing in it is read out; focusable for focusField `_form`. */}
      <div id={FORM_ERROR_ID} tabIndex={-1} aria-live="polite" className={focusRing}>
        {errors[FORM_ERROR] !== undefined && <p className={`rounded border border-red-800 bg-red-50 p-3 ${errorText}`}>{errors[FORM_ERROR]}</p>}
      </div>

      {model.ways.length > 1 && (
        <fieldset>
          <legend className="font-medium text-slate-900">How to connect</legend>
          <div className="mt-2 space-y-2">
            {model.ways.map((w) => (
              <div key={w.id} className="flex items-center gap-2">
                <input
                  type="radio"
                  id={`way-${w.id}`}
                  name={WAY_KEY}
                  value={w.id}
                  checked={way?.id === w.id}
                  className={`h-4 w-4 accent-blue-700 ${focusRing}`}
                  onChange={() => onChange({ ...value, [WAY_KEY]: w.id }, WAY_KEY)}
                />
                <label htmlFor={`way-${w.id}`}>{w.label}</label>
              </div>
            ))}
          </div>
        </fieldset>
      )}

      {main.map(row)}

      {advanced.length > 0 && (
        <details ref={advancedRef} className="rounded border border-slate-300 p-3">
          <summary className={`cursor-pointer rounded font-medium text-slate-900 ${focusRing}`}>Advanced settings</summary>
          <div className="mt-4 space-y-6">{advanced.map(row)}</div>
        </details>
      )}
    </div>
  );
}
