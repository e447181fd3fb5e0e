import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api.js';
import { FORM_ERROR, firstErrorField, formModel, initialValues, type FormValues } from '../../forms/schema-fields.js';
import { SchemaForm } from '../../forms/SchemaForm.js';
import { checkForm, serverFieldErrors } from '../../forms/validate.js';
import { useCatalog } from '../../pages/CatalogPage.js';
import { PluginIcon } from '../../ui/PluginIcon.js';
import { focusRing, textField } from '../../ui/styles.js';
import { setSecretNames, updateDraft, useDraft } from '../draft.js';
import { StepButtons } from '../StepButtons.js';

type ApiFailure = Error & { detail?: { fields?: Record<string, string[]> }; status?: number };
const secretsOf = (schema: Record<string, unknown>) =>
  Object.entries((schema.properties ?? {}) as Record<string, { 'x-secret'?: boolean }>)
    .filter(([, p]) => p['x-secret'] === true)
    .map(([name]) => name);

/** The source's settings: saved as a connection (created, or changed when going back), secrets sent once. */
export function Configure({ onBack, onNext }: { onBack: () => void; onNext: () => void }) {
  const draft = useDraft();
  const catalog = useCatalog();
  const client = useQueryClient();
  const plugin = catalog.data?.find((p) => p.name === draft.plugin);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [focusField, setFocusField] = useState<string | undefined>(draft.focusSetting ?? undefined);

  useEffect(() => {
    if (plugin) setSecretNames(secretsOf(plugin.config_schema));
    if (plugin && draft.name === '') updateDraft({ name: plugin.label });
  }, [plugin, draft.name]);
  // A failed test named a setting: show it as the one to look at.
  useEffect(() => {
    if (draft.focusSetting) setErrors((e) => ({ ...e, [draft.focusSetting!]: e[draft.focusSetting!] ?? 'The connection test failed here: check this setting.' }));
  }, [draft.focusSetting]);

  if (!plugin) return <p>Loading the settings…</p>;
  const schema = plugin.config_schema;
  const model = formModel(schema);
  // The draft holds the form's values (with the chosen way to connect); missing ones show empty.
  const values: FormValues = { ...initialValues(model), ...(draft.config as FormValues) };
  const mode = draft.connectorId ? 'edit' : 'create';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { config, errors: problems } = checkForm(schema, values, mode);
    const found = { ...problems, ...(draft.name.trim() === '' ? { _name: 'Give the connection a name, e.g. “Sales database”.' } : {}) };
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setFocusField(undefined);
      setTimeout(() => setFocusField(found._name && Object.keys(found).length === 1 ? undefined : firstErrorField(model, values, found)), 0);
      if (found._name && Object.keys(found).length === 1) document.getElementById('connection-name')?.focus();
      return;
    }
    setBusy(true);
    try {
      const body = { name: draft.name.trim(), config };
      const saved = draft.connectorId
        ? await api<{ id: string }>(`/connectors/${draft.connectorId}`, { method: 'PATCH', body: JSON.stringify(body) })
        : await api<{ id: string }>('/connectors', { method: 'POST', body: JSON.stringify({ ...body, plugin: plugin.name }) });
      updateDraft({ connectorId: saved.id, testedOk: false, focusSetting: null });
      // The connection exists now: the Connections page behind the wizard shows it.
      void client.invalidateQueries({ queryKey: ['connectors'] });
      onNext();
    } catch (e) {
      const failure = e as ApiFailure;
      const fields = serverFieldErrors(schema, failure);
      if (fields.name || failure.status === 409) fields._name = failure.status === 409 ? 'Another connection already has this name: choose another.' : fields.name!;
      delete fields.name;
      setErrors(Object.keys(fields).length > 0 ? fields : { [FORM_ERROR]: `${failure.message} Try again in a moment.` });
      setFocusField(firstErrorField(model, values, fields));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <div className="mb-4 flex items-center gap-3">
        <PluginIcon label={plugin.label} iconUrl={plugin.icon_url} />
        <p className="font-semibold text-slate-900">{plugin.label}</p>
        {/* Only a web address: the catalog is ours, but a link is no place to trust a `javascript:` one. */}
        {plugin.docs_url && /^https?:\/\//.test(plugin.docs_url) && (
          <a href={plugin.docs_url} target="_blank" rel="noreferrer" className={`ml-auto rounded text-blue-800 underline ${focusRing}`}>
            Documentation<span className="sr-only"> (opens in a new tab)</span>
          </a>
        )}
      </div>
      {plugin.setup_guide && <p className="mb-4 rounded bg-blue-50 p-3 text-slate-900">{plugin.setup_guide}</p>}
      <div className="mb-4 max-w-md">
        <label htmlFor="connection-name" className="mb-1 block font-medium">
          Connection name <span className="font-normal text-slate-700">(required)</span>
        </label>
        <input id="connection-name" className={textField} value={draft.name} onChange={(e) => updateDraft({ name: e.target.value })} aria-invalid={errors._name ? true : undefined} aria-describedby={errors._name ? 'connection-name-error' : undefined} />
        {errors._name && <p id="connection-name-error" className="mt-1 text-sm text-red-800">{errors._name}</p>}
      </div>
      <SchemaForm
        schema={schema}
        value={values}
        onChange={(config, changed) => {
          updateDraft({ config });
          if (errors[changed]) setErrors(({ [changed]: _, ...rest }) => rest);
        }}
        errors={errors}
        mode={mode}
        {...(focusField ? { focusField } : {})}
      />
      <StepButtons onBack={onBack} nextLabel={busy ? 'Saving…' : 'Next'} busy={busy} />
    </form>
  );
}
