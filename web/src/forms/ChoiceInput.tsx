import { focusRing, inputClass } from './classes.js';
import type { Field, FieldValue, FormValues } from './field-types.js';
import { CHOICE_KEY, isValues, valuesOf } from './field-values.js';
import { SubFields } from './SubFields.js';

type Props = {
  field: Field;
  path: string;
  value: FieldValue | undefined;
  errors: Readonly<Record<string, string>>;
  onValue: (value: FieldValue) => void;
  /** The setting's legend, which names the choice. */
  legendId: string;
  /** Editing a saved secret: the first option keeps it (it is never shown, so it cannot be one of the others). */
  secretKept: boolean;
};

// Up to this many, radio buttons show every alternative at once; more, a select keeps the form short.
const MAX_RADIOS = 5;

/**
 * One of several alternative objects (oneOf/anyOf): choose one by its name, then fill in its
 * fields. Each alternative keeps what was typed in it, so changing one's mind loses nothing;
 * only the chosen one is sent. An optional choice can be "Not set", a saved secret one kept.
 */
export function ChoiceInput({ field, path, value, errors, onValue, legendId, secretKept }: Props) {
  const values: FormValues = isValues(value) ? value : {};
  const chosenId = typeof values[CHOICE_KEY] === 'string' ? values[CHOICE_KEY] : '';
  const alternatives = field.alternatives ?? [];
  const none = secretKept ? [{ id: '', label: 'Keep the saved one' }] : field.required ? [] : [{ id: '', label: 'Not set' }];
  const options = [...none, ...alternatives.map((a) => ({ id: a.id, label: a.label }))];
  const chosen = alternatives.find((a) => a.id === chosenId);
  const chosenValues = chosen && isValues(values[chosen.id]) ? (values[chosen.id] as FormValues) : {};

  const choose = (id: string) => {
    const alternative = alternatives.find((a) => a.id === id);
    onValue({ ...values, [CHOICE_KEY]: id, ...(alternative && !isValues(values[id]) ? { [id]: valuesOf(alternative.fields, {}) } : {}) });
  };
  const optionId = (id: string) => `${field.id}--option-${id === '' ? 'none' : id}`;

  return (
    <div>
      {options.length <= MAX_RADIOS ? (
        <div className="space-y-2">
          {options.map((o) => (
            <div key={o.id} className="flex items-center gap-2">
              <input
                type="radio"
                id={optionId(o.id)}
                name={field.id}
                value={o.id}
                checked={chosenId === o.id}
                className={`h-4 w-4 accent-blue-700 ${focusRing}`}
                onChange={() => choose(o.id)}
              />
              <label htmlFor={optionId(o.id)}>{o.label}</label>
            </div>
          ))}
        </div>
      ) : (
        <select id={`${field.id}--choice`} aria-labelledby={legendId} value={chosenId} className={inputClass(false)} onChange={(e) => choose(e.target.value)}>
          {chosenId === '' && none.length === 0 && <option value="">Choose one</option>}
          {options.map((o) => (
            <option key={o.id} value={o.id}>{o.label}</option>
          ))}
        </select>
      )}
      {chosen && chosen.fields.some((f) => f.kind !== 'const') && (
        // Only the chosen alternative's fields are in the page: the others are not asked for.
        <div className="mt-4 border-l-4 border-slate-300 pl-4">
          <SubFields key={chosen.id} fields={chosen.fields} idPrefix={field.id} path={path} values={chosenValues} errors={errors} onValues={(next) => onValue({ ...values, [chosen.id]: next })} />
        </div>
      )}
    </div>
  );
}
