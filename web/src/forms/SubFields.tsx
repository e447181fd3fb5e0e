import type { Field, FormValues } from './field-types.js';
import { FieldRow } from './FieldRow.js';

type Props = {
  fields: readonly Field[];
  /** The parent's DOM id: each field's id is `<idPrefix>-<name>`. */
  idPrefix: string;
  /** The parent's message key: each field's is `<path>.<name>`. */
  path: string;
  values: FormValues;
  errors: Readonly<Record<string, string>>;
  onValues: (values: FormValues) => void;
};

/** The fields of one object (a list's item, a chosen alternative, a group), fixed values left out of sight. */
export function SubFields({ fields, idPrefix, path, values, errors, onValues }: Props) {
  return (
    <div className="space-y-4">
      {fields
        .filter((f) => f.kind !== 'const')
        .map((f) => (
          <FieldRow
            key={f.name}
            field={{ ...f, id: `${idPrefix}-${f.name}` }}
            path={`${path}.${f.name}`}
            value={values[f.name]}
            errors={errors}
            secretKept={false}
            onValue={(v) => onValues({ ...values, [f.name]: v })}
          />
        ))}
    </div>
  );
}
