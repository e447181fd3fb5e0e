import * as Dialog from '@radix-ui/react-dialog';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { FORM_ERROR, firstErrorField, formModel, initialValues, storedSecretNames, type FormValues } from '../forms/schema-fields.js';
import { SchemaForm } from '../forms/SchemaForm.js';
import { checkForm, serverFieldErrors } from '../forms/validate.js';
import type { Connector, Plugin } from '../types.js';
import { primaryButton, secondaryButton, textField } from '../ui/styles.js';

/** Change a connection's settings: secrets are never shown; left empty, the saved one stays. */
export function EditConnection({ connector, plugin, onClose }: { connector: Connector; plugin: Plugin; onClose: () => void }) {
  const client = useQueryClient();
  const schema = plugin.config_schema;
  const model = formModel(schema);
  const secretsStored = storedSecretNames(connector.secrets);
  const [values, setValues] = useState<FormValues>(() => initialValues(model, { config: connector.config, secretsStored }));
  const [name, setName] = useState(connector.name);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [focusField, setFocusField] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { config, errors: problems } = checkForm(schema, values, 'edit', secretsStored);
    setErrors(problems);
    if (Object.keys(problems).length > 0) return setFocusField(firstErrorField(model, values, problems));
    setBusy(true);
    try {
      await api(`/connectors/${connector.id}`, { method: 'PATCH', body: JSON.stringify({ name: name.trim(), config }) });
      await client.invalidateQueries({ queryKey: ['connectors'] });
      onClose();
    } catch (e) {
      const fields = serverFieldErrors(schema, e);
      setErrors(Object.keys(fields).length > 0 ? fields : { [FORM_ERROR]: `${(e as Error).message} Try again in a moment.` });
      setFocusField(firstErrorField(model, values, fields));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog.Root open onOpenChange={(open) => !open && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 bg-slate-900/50" />
        <Dialog.Content aria-describedby={undefined} className="fixed left-1/2 top-1/2 max-h-[92vh] w-[48rem] max-w-[96vw] -translate-x-1/2 -translate-y-1/2 overflow-y-auto rounded-lg bg-white p-6 shadow-xl">
          <Dialog.Title className="mb-4 text-lg font-semibold">Settings of “{connector.name}”</Dialog.Title>
          <form onSubmit={(e) => void submit(e)} noValidate>
            <div className="mb-4 max-w-md">
              <label htmlFor="edit-connection-name" className="mb-1 block font-medium">Connection name <span className="font-normal text-slate-700">(required)</span></label>
              <input id="edit-connection-name" className={textField} value={name} onChange={(e) => setName(e.target.value)} required />
            </div>
            <SchemaForm
              schema={schema}
              value={values}
              onChange={(next, changed) => {
                setValues(next);
                if (errors[changed]) setErrors(({ [changed]: _, ...rest }) => rest);
              }}
              errors={errors}
              mode="edit"
              secretsStored={secretsStored}
              {...(focusField ? { focusField } : {})}
            />
            <p className="mt-4 text-sm text-slate-800">After saving, test the connection again to check the new settings.</p>
            <div className="mt-4 flex justify-end gap-3">
              <Dialog.Close className={secondaryButton}>Cancel</Dialog.Close>
              <button type="submit" className={primaryButton} disabled={busy}>{busy ? 'Saving…' : 'Save settings'}</button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
