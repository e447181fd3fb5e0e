/** The form model's shapes: what schema-fields.ts and schema-node.ts build and the form renders. */

/** As the catalog sends it (`config_schema`): read defensively, it comes over the network. */
export type ConfigSchema = Record<string, unknown>;
export type FieldKind =
  | 'text'
  | 'secret'
  | 'integer'
  | 'number'
  | 'switch'
  | 'select'
  | 'date'
  | 'datetime'
  | 'email'
  | 'url'
  | 'tags'
  /** A list of fixed choices, any of which may be ticked (an array of an enum). */
  | 'checks'
  | 'json'
  /** A repeatable sub-form: an array of objects, one fieldset per item. */
  | 'list'
  /** One of several alternative objects (oneOf/anyOf): choose one, then fill its fields. */
  | 'choice'
  /** An object with its own fields (one not flattened into dotted settings). */
  | 'group'
  /** A fixed value (`const`) an alternative carries: never shown, always sent with it. */
  | 'const';
export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
export type FieldOption = { value: string; label: string };

export type Field = {
  /** The setting's name; inside a list item, choice or group, the property's name in its object. */
  name: string;
  /** `field-<name>`: the input's id, stable for labels, focus and browser tests. Inside a list, choice or group the renderer prefixes it with its parent's. */
  id: string;
  label: string;
  /** The label with its group's name (`SSH tunnel host` for `ssh_tunnel.host`), for messages read away from the group. */
  fullLabel: string;
  help?: string;
  /** Limits in words ("From 1 to 65535"), shown under the help. */
  hint?: string;
  placeholder?: string;
  kind: FieldKind;
  /** The JSON type submitted (numbers are parsed from text by it); absent when the schema names none. */
  type?: JsonType;
  /** For lists: the type of each item. */
  itemType?: JsonType;
  secret: boolean;
  options: FieldOption[];
  default?: unknown;
  /** Must be filled whenever it is shown (a field of the chosen way, or required by every way). */
  required: boolean;
  /** Folded away under "Advanced settings": optional and in no way to connect, or marked `x-advanced`. */
  advanced: boolean;
  /** Ids of the ways to connect it belongs to; empty for the fields every way shares. */
  ways: string[];
  /** A dotted setting's prefix (`ssh_tunnel` for `ssh_tunnel.host`): shown together in one fieldset. */
  group?: string;
  /** `list`: the fields of one item; `group`: the object's fields. */
  fields?: Field[];
  /** `list`: what one item is called, for "Add file" and "Remove file 2". */
  itemNoun?: string;
  /** `list`: the most items allowed, when the schema says. */
  maxItems?: number;
  /** `choice`: the alternatives to choose from. */
  alternatives?: Alternative[];
  /** `json`: an example value written as JSON, derived from the schema. */
  example?: string;
  /** `json` for alternatives of plain values (a number or text): what it takes, in words; such a box is one line. */
  accepts?: string;
  /** `const`: the value sent. */
  constValue?: unknown;
};

/** One alternative of a `choice`: its id is its index in the schema's oneOf/anyOf. */
export type Alternative = { id: string; label: string; fields: Field[] };

/** One complete set of settings the connector accepts, e.g. "Connection URL". `id` is its index in `anyOf`. */
export type Way = { id: string; label: string; fields: string[] };
export type FormModel = { fields: Field[]; ways: Way[] };

/**
 * What the inputs hold: text as typed, switches as booleans, tags and ticked choices as
 * lists; a list's items, a group and a choice as nested values (a choice's under CHOICE_KEY
 * and one record per alternative, so switching back finds what was typed).
 */
export type FieldValue = string | boolean | string[] | FormValues | FormValues[];
/**
 * The form's value, keyed by setting name, plus the chosen way under WAY_KEY. One flat record
 * so a draft can keep it as it keeps a config (and drop the secrets by name).
 */
export type FormValues = { [name: string]: FieldValue };
