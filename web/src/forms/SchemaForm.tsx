import { useEffect, useMemo, useRef, type ReactNode } from 'react';
import { errorText, focusRing } from './classes.js';
import { FieldRow } from './FieldRow.js';
import { focusInside, unfold } from './focus.js';
import { chosenWay, elementIdFor, FORM_ERROR, formModel, layout, WAY_KEY, type Block, type ConfigSchema, type Field, type FormValues, type Mode } from './schema-fields.js';

export type SchemaFormProps = {
  /** The catalog's `config_schema` for the connector type. */
  schema: ConfigSchema;
  /** Start it with `initialValues(formModel(schema), ...)`: a missing value shows as empty, and is sent as empty. */
  value: FormValues;
  /** `changed`: the setting (or WAY_KEY) that changed, e.g. to drop its now stale error. */
  onChange: (value: FormValues, changed: string) => void;
  /**
   * From validateConfig/checkForm or serverFieldErrors: one message per setting, `_form` for
   * the whole. A message inside a setting is keyed by its path (`files.1.path`, `auth.token`)
   * and shown at that input.
   */
  errors: Readonly<Record<string, string>>;
  mode: Mode;
  /** Editing: the secrets the connector holds (storedSecretNames of the API's `secrets`). */
  secretsStored?: readonly string[] | undefined;
  /** A setting name, a path inside one (or `_form`) to move focus to whenever it changes to it. */
  focusField?: string | null | undefined;
};

/** The id of the form-level error area (focus it with focusField `_form`). */
export const FORM_ERROR_ID = 'field-_form';

/**
 * A connector's settings form, generated from its catalog schema: the ways to connect to
 * choose from, the settings of the chosen one (dotted ones grouped in a fieldset), and the
 * optional ones under "Advanced settings". Controlled: the page holds the values,
 * validates and submits (checkForm).
 */
export function SchemaForm({ schema, value, onChange, errors, mode, secretsStored = [], focusField }: SchemaFormProps) {
  const model = useMemo(() => formModel(schema), [schema]);
  const { main, advanced } = layout(model, value);
  const way = chosenWay(model, value);
  const rootRef = useRef<HTMLDivElement>(null);

  // Settings are looked up inside this form only: the page may hold other forms with the same ids.
  const element = (id: string) => rootRef.current?.querySelector<HTMLElement>(`#${CSS.escape(id)}`) ?? null;

  // Only a new focusField moves focus, not every render (`element` reads a ref: no dependency).
  useEffect(() => {
    if (!focusField) return;
    if (focusField === FORM_ERROR) {
      element(FORM_ERROR_ID)?.focus();
      return;
    }
    const id = elementIdFor(model, focusField);
    const target = id !== undefined ? element(id) : null; // a field of a way not chosen is not on screen: nothing to focus
    // <details> are left to the browser (uncontrolled); opening them first makes their inputs focusable.
    unfold(target);
    focusInside(target);
  }, [focusField, model]);

  // An error in a folded-away setting must not stay hidden.
  useEffect(() => {
    for (const key of Object.keys(errors)) {
      const id = elementIdFor(model, key);
      if (id !== undefined) unfold(element(id));
    }
  }, [errors, model]);

  const row = (field: Field) => (
    <FieldRow
      key={field.name}
      field={field}
      path={field.name}
      value={value[field.name]}
      errors={errors}
      secretKept={mode === 'edit' && field.secret && secretsStored.includes(field.name)}
      onValue={(v) => onChange({ ...value, [field.name]: v }, field.name)}
    />
  );
  const block = (b: Block): ReactNode => {
    if ('field' in b) return row(b.field);
    const fields = <div className="space-y-6">{b.fields.map(row)}</div>;
    if (b.folded) {
      return (
        <details key={b.group} className="rounded border border-slate-300 p-3">
          <summary className={`cursor-pointer rounded font-medium text-slate-900 ${focusRing}`}>{b.legend} <span className="font-normal text-slate-700">(optional)</span></summary>
          <fieldset className="mt-4 min-w-0">
            <legend className="sr-only">{b.legend}</legend>
            {fields}
          </fieldset>
        </details>
      );
    }
    return (
      <fieldset key={b.group} className="min-w-0 rounded border border-slate-300 p-4">
        <legend className="px-1 font-medium text-slate-900">{b.legend}</legend>
        {fields}
      </fieldset>
    );
  };

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

      {main.map(block)}

      {advanced.length > 0 && (
        <details className="rounded border border-slate-300 p-3">
          <summary className={`cursor-pointer rounded font-medium text-slate-900 ${focusRing}`}>Advanced settings</summary>
          <div className="mt-4 space-y-6">{advanced.map(block)}</div>
        </details>
      )}
    </div>
  );
}
