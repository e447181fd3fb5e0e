import { checkConfig, InvalidSchemaError, problemSentence, settingOf } from '../../../meltano/config-validation.js';
import { buildConfig, chosenWay, FORM_ERROR, formModel, labelFor, type ConfigSchema, type FormValues, type Mode } from './schema-fields.js';
import { listOf } from './words.js';

/**
 * Checks a connector config against its catalog schema in the browser with the server's
 * own validation (meltano/config-validation.ts: the same schema, validator and words), as
 * the form shows it: one message per setting, keyed by setting name, led by the field's
 * label ("Port must be a whole number"; a nested field says where: "Streams, item 1: Name
 * is required"). FORM_ERROR (`_form`) holds what concerns the form as a whole.
 */
export type FieldErrors = Record<string, string>;
export type ValidateOptions = {
  /** Settings that hold a value the config does not carry: the stored secrets an edit keeps. */
  present?: readonly string[] | undefined;
  /** The way to connect the person chose (its id): a missing alternative points at its fields. */
  way?: string | undefined;
};

export { compileSchema } from '../../../meltano/config-validation.js';

type Json = Record<string, unknown>;
const record = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function validateConfig(schema: ConfigSchema, config: Json, { present = [], way }: ValidateOptions = {}): FieldErrors {
  const model = formModel(schema);
  let check: ReturnType<typeof checkConfig>;
  try {
    check = checkConfig(schema, config, { present, way });
  } catch (error) {
    // Not the person's to fix: the form says so rather than breaking.
    if (error instanceof InvalidSchemaError) return { [FORM_ERROR]: `${error.message} Ask your Sluice administrator to fix this connector type.` };
    throw error;
  }
  const errors: FieldErrors = {};
  const formErrors: string[] = [];
  const formError = (sentence: string) => void (formErrors.includes(sentence) || formErrors.push(sentence));
  if (check.incompleteSet) {
    const sets = (Array.isArray(schema.anyOf) ? schema.anyOf : []).map((g) => strings(record(g).required));
    formError(`Fill in either ${sets.map((g) => listOf(g.map((n) => labelFor(model, n)))).join(', or ')}.`);
  }
  for (const p of check.problems) {
    const field = p.path[0];
    if (field === undefined) formError(`${problemSentence(p)}.`);
    // A setting the connector does not have has no field to show the message by.
    else if (p.keyword === 'additionalProperties' && p.path.length === 1) formError(`${labelFor(model, field)} is not a setting of this connection.`);
    // One message per field: the first thing to fix.
    else errors[field] ??= p.path.length === 1 ? `${labelFor(model, field)} ${p.words}` : problemSentence(p);
  }
  if (formErrors.length > 0) errors[FORM_ERROR] = formErrors.join(' ');
  return errors;
}

/**
 * The form's values checked as they would be submitted: the config buildConfig makes, the
 * stored secrets an edit keeps, the chosen way. Submit `config` when `errors` is empty.
 */
export function checkForm(schema: ConfigSchema, values: FormValues, mode: Mode, secretsStored: readonly string[] = []) {
  const model = formModel(schema);
  const config = buildConfig(model, values, mode);
  const way = chosenWay(model, values)?.id;
  const errors = validateConfig(schema, config, { present: mode === 'edit' ? secretsStored : [], way });
  return { config, errors };
}

type ServerDetail = { message?: unknown; fields?: unknown };

// Accepts the response body `{ error: {...} }`, its `error` object, or the Error web/src/api.ts throws (`detail`).
function detailOf(from: unknown): ServerDetail {
  const o = record(from);
  if (Object.hasOwn(o, 'error') && typeof o.error === 'object') return record(o.error);
  if (Object.hasOwn(o, 'detail')) return record(o.detail);
  if (from instanceof Error) return { message: from.message, ...record((from as Error & { detail?: unknown }).detail) };
  return o;
}

/**
 * The server's validation answer `{ error: { code, message, fields?: { name: [messages] } } }`
 * (server/errors.ts) in the form's words. The server keys by setting name, or by the path of
 * a nested field (`streams.0.name`, `config.filter_schemas.0`), shown by its setting; it
 * writes the rest of a sentence ("is required"), or a whole sentence for a nested field,
 * which is kept as it is. Keys the schema does not know (the connector's `name`) are kept
 * for the page to show by its own field; `_` and `config` (the body as a whole) go to
 * FORM_ERROR, as does the message when no field is named.
 */
export function serverFieldErrors(schema: ConfigSchema, from: unknown): FieldErrors {
  const model = formModel(schema);
  const detail = detailOf(from);
  const errors: FieldErrors = {};
  const formErrors: string[] = [];
  for (const [key, value] of Object.entries(record(detail.fields))) {
    const messages = (Array.isArray(value) ? value : [value]).filter((m): m is string => typeof m === 'string' && m !== '');
    const name = settingOf(schema, key.startsWith('config.') ? key.slice('config.'.length) : key);
    const whole = name === '_' || name === '' || name === 'config';
    // The server writes for one setting ("contains a character..."): the subject must be singular.
    const label = whole ? 'One of the settings' : labelFor(model, name);
    const sentence = messages.map((m) => (/^[A-Z]/.test(m) ? m : `${label} ${m}`)).join('; ');
    if (sentence === '') continue;
    if (whole) formErrors.push(sentence);
    else errors[name] = errors[name] ? `${errors[name]}; ${sentence}` : sentence;
  }
  if (formErrors.length > 0) errors[FORM_ERROR] = formErrors.join(' ');
  else if (Object.keys(errors).length === 0 && typeof detail.message === 'string' && detail.message !== '') errors[FORM_ERROR] = detail.message;
  return errors;
}
