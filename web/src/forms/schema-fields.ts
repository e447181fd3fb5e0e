import type { ConfigSchema, Field, FieldValue, FormModel, FormValues, Way } from './field-types.js';
import { CHOICE_KEY, submitted, toFieldValue } from './field-values.js';
import { fieldOf, ordered, record, strings } from './schema-node.js';
import { humanise, listOf } from './words.js';

/**
 * A connector's config JSON Schema (meltano/settings-schema.ts) as a form: the fields with
 * their labels and inputs, the "ways to connect" (its `anyOf` of `required` lists), the
 * dotted settings grouped by their prefix, the form's starting values and the config it
 * submits. Pure: no React, so it is unit-tested. One property is read by schema-node.ts,
 * its values by field-values.ts.
 */
export type { Alternative, ConfigSchema, Field, FieldKind, FieldOption, FieldValue, FormModel, FormValues, JsonType, Way } from './field-types.js';
export { CHOICE_KEY, SERVER_MASK } from './field-values.js';

/** Setting names start with a letter or `_` (meltano/plugins.ts), so this key never collides. */
export const WAY_KEY = '$way';
/** The key of errors about the form as a whole rather than one field. */
export const FORM_ERROR = '_form';

// `ssh_tunnel.host` belongs with `ssh_tunnel.port`: Meltano's way of saying a nested object's fields.
const groupOf = (name: string) => (name.includes('.') ? name.slice(0, name.indexOf('.')) : undefined);

// Built once per schema object: the form and its validation both read it on every keystroke.
const models = new WeakMap<object, FormModel>();

export function formModel(schema: ConfigSchema): FormModel {
  const cached = models.get(schema);
  if (cached) return cached;
  const properties = record(schema.properties);
  const everyWay = new Set(strings(schema.required));
  const groups = (Array.isArray(schema.anyOf) ? schema.anyOf : [])
    .map((g, i) => ({ id: String(i), names: strings(record(g).required).filter((n) => Object.hasOwn(properties, n) && !everyWay.has(n)) }))
    .filter((g) => g.names.length > 0);
  // A catalog that marks its advanced settings (`x-advanced`) shows its other optional ones;
  // one that marks none folds every optional setting away, as it always did.
  const curated = Object.values(properties).some((p) => Object.hasOwn(record(p), 'x-advanced'));
  // Required settings first, in the order `required` and the ways list them; the rest after (schema-node.ts `ordered` says why).
  const rank = (name: string): number[] => {
    if (everyWay.has(name)) return [0, strings(schema.required).indexOf(name)];
    const way = groups.findIndex((g) => g.names.includes(name));
    return way >= 0 ? [1, way, groups[way]!.names.indexOf(name)] : [2];
  };
  const fields = ordered(Object.entries(properties), rank).map(([name, p]) =>
    fieldOf(name, p, {
      required: everyWay.has(name),
      ways: groups.filter((g) => g.names.includes(name)).map((g) => g.id),
      advanced: curated ? record(p)['x-advanced'] === true : true,
      depth: 0,
      group: groupOf(name),
    }),
  );
  const labelOf = (name: string) => fields.find((f) => f.name === name)?.fullLabel ?? humanise(name);
  const ways = groups.map((g) => ({ id: g.id, label: listOf(g.names.map(labelOf)), fields: g.names }));
  const model = { fields, ways };
  models.set(schema, model);
  return model;
}

/** A setting's label for a message (with its group's name), or a readable name for keys the schema does not know (`name` → "Name"). */
export const labelFor = (model: FormModel, name: string) => model.fields.find((f) => f.name === name)?.fullLabel ?? humanise(name);

export const chosenWay = (model: FormModel, values: FormValues): Way | undefined => model.ways.find((w) => w.id === values[WAY_KEY]) ?? model.ways[0];

const inPlay = (field: Field, way: Way | undefined) => field.ways.length === 0 || (way !== undefined && field.ways.includes(way.id));

/** What the form shows in order: a setting, or the settings of one dotted group in a fieldset (`folded` when none is required). */
export type Block = { field: Field } | { group: string; legend: string; fields: Field[]; folded: boolean };

/** The chosen way's settings as blocks, `main` in schema order and `advanced` folded away; a group sits where its first setting is. */
export function layout(model: FormModel, values: FormValues): { main: Block[]; advanced: Block[] } {
  const way = chosenWay(model, values);
  const shown = model.fields.filter((f) => inPlay(f, way) && f.kind !== 'const');
  const main: Block[] = [];
  const advanced: Block[] = [];
  const placed = new Set<string>();
  for (const field of shown) {
    if (field.group === undefined) {
      (field.advanced ? advanced : main).push({ field });
      continue;
    }
    if (placed.has(field.group)) continue;
    placed.add(field.group);
    const members = shown.filter((f) => f.group === field.group);
    const block = { group: field.group, legend: humanise(field.group), fields: members, folded: members.every((f) => !f.required) };
    // A group of advanced settings is folded with them; one with a setting to see stays in view, all of it.
    if (members.every((f) => f.advanced)) advanced.push({ ...block, folded: false });
    else main.push(block);
  }
  return { main, advanced };
}

const fieldsOf = (blocks: Block[]) => blocks.flatMap((b) => ('field' in b ? [b.field] : b.fields));

/** The fields on screen for the chosen way: `main` in the order shown, `advanced` folded away. */
export function shownFields(model: FormModel, values: FormValues): { main: Field[]; advanced: Field[] } {
  const { main, advanced } = layout(model, values);
  return { main: fieldsOf(main), advanced: fieldsOf(advanced) };
}

export type ValuesOptions = { config?: Record<string, unknown> | undefined; secretsStored?: readonly string[] | undefined };

/**
 * The form's starting values: the stored config when editing, else the schema's defaults.
 * Secrets are never pre-filled (the API only has a mask for them anyway). The way chosen is
 * the first one the values already complete, else the first.
 */
export function initialValues(model: FormModel, { config = {}, secretsStored = [] }: ValuesOptions = {}): FormValues {
  const values: FormValues = {};
  for (const field of model.fields) {
    const stored = field.secret || !Object.hasOwn(config, field.name) ? undefined : config[field.name];
    const value = toFieldValue(field, field.secret ? undefined : (stored ?? field.default));
    // A saved secret choice starts on "Keep the saved one": which alternative it is, the form cannot know.
    values[field.name] = field.kind === 'choice' && field.secret && secretsStored.includes(field.name) ? { ...(value as FormValues), [CHOICE_KEY]: '' } : value;
  }
  const filled = (name: string) => {
    const field = model.fields.find((f) => f.name === name);
    return secretsStored.includes(name) || (field !== undefined && submitted(field, values[name]) !== undefined);
  };
  const way = model.ways.find((w) => w.fields.every(filled)) ?? model.ways[0];
  if (way) values[WAY_KEY] = way.id;
  return values;
}

export type Mode = 'create' | 'edit';

/**
 * The config to send: the chosen way's fields and the common ones, numbers and JSON parsed,
 * lists, choices and groups as the objects they stand for. Creating, empty fields are left
 * out. Editing (a PATCH merges into what is stored), an empty field and every field of the
 * ways not chosen are sent as null, which clears them, except an empty secret of the chosen
 * way: left out, so the stored one is kept.
 */
export function buildConfig(model: FormModel, values: FormValues, mode: Mode): Record<string, unknown> {
  const way = chosenWay(model, values);
  const config: Record<string, unknown> = {};
  for (const field of model.fields) {
    const shown = inPlay(field, way);
    const value = shown ? submitted(field, values[field.name] as FieldValue | undefined) : undefined;
    if (value !== undefined) config[field.name] = value;
    else if (mode === 'edit' && !(shown && field.secret)) config[field.name] = null;
  }
  return config;
}

/** The setting a message key is about: itself, or the one it is inside (`files.1.path` → `files`). Names may hold dots. */
function ownerOf(model: FormModel, key: string): Field | undefined {
  const exact = model.fields.find((f) => f.name === key);
  if (exact) return exact;
  return model.fields.filter((f) => key.startsWith(`${f.name}.`)).sort((a, b) => b.name.length - a.name.length)[0];
}

/**
 * The id of the input a message key is about: `port` → `field-port`; inside a list, choice
 * or group the renderer's ids (`files.1.path` → `field-files-1-path`, `auth.token` →
 * `field-auth-token`).
 */
export function elementIdFor(model: FormModel, key: string): string | undefined {
  const owner = ownerOf(model, key);
  if (!owner) return undefined;
  return owner.name === key ? owner.id : `${owner.id}-${key.slice(owner.name.length + 1).split('.').join('-')}`;
}

/** Where to send focus after a failed submit: the first field on screen with an error (or the first input inside it with one), else the form's own error. */
export function firstErrorField(model: FormModel, values: FormValues, errors: Readonly<Record<string, string>>): string | undefined {
  const { main, advanced } = shownFields(model, values);
  const keys = Object.keys(errors);
  for (const field of [...main, ...advanced]) {
    if (errors[field.name] !== undefined) return field.name;
    const inside = keys.find((k) => ownerOf(model, k) === field);
    if (inside !== undefined) return inside;
  }
  return errors[FORM_ERROR] !== undefined ? FORM_ERROR : undefined;
}

/** The names of the secrets a connector holds, from the API's `secrets: { name: { has_value } }`. */
export const storedSecretNames = (secrets: Record<string, { has_value: boolean }> | undefined): string[] =>
  Object.entries(secrets ?? {}).filter(([, s]) => s.has_value).map(([name]) => name);
