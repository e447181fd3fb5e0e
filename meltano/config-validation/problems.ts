import { format, type OutputUnit } from '@cfworker/json-schema';
import type { CompiledSchema } from './compile.js';
import { pathKey } from './judged.js';
import { capitalise, humanise, keywordWords, listOf, shown, typeNoun } from './words.js';

/** One thing to fix in a config, found by the validator and put in words. */
export type Problem = {
  /** Where in the config: `['streams', '0', 'name']`; `[]` for the config as a whole. */
  path: string[];
  /** How each step of the path reads: `['Streams', 'item 1', 'Name']`. */
  labels: string[];
  /** The rest of the sentence: "is required", "must be a whole number". */
  words: string;
  /** The JSON Schema keyword that failed (`required`, `type`, `oneOf`, `additionalProperties`…). */
  keyword: string;
};

type Json = Record<string, unknown>;
type Context = { compiled: CompiledSchema; data: unknown };

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Keywords that only announce that a subschema failed ("Property "port" does not match
 * schema."): the subschema's own errors follow them and say what to fix.
 */
const WRAPPERS = new Set(['properties', 'patternProperties', 'additionalProperties', 'unevaluatedProperties', 'dependentSchemas', 'items', 'prefixItems', 'additionalItems', 'unevaluatedItems', '$ref', '$recursiveRef', 'allOf', 'if']);
const ALTERNATIVES = new Set(['anyOf', 'oneOf']);
// Subschemas whose errors are not the value's problems: items tried against `contains`, names tried against `propertyNames`.
const PROBES = new Set(['contains', 'propertyNames']);
// Keywords naming a schema by a key that follows them in a location; a property may be called `contains`.
const NAMED = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
const INDEXED = new Set(['anyOf', 'oneOf', 'allOf', 'prefixItems']);

/** `#/properties/a~1b/0` → `['properties', 'a/b', '0']` (cfworker writes URI-encoded JSON Pointers). */
export function segments(location: string): string[] {
  const rest = location.replace(/^#/, '');
  if (rest === '') return [];
  return rest
    .split('/')
    .slice(1)
    .map((s) => {
      let token = s;
      try {
        token = decodeURIComponent(s);
      } catch {
        // not URI-encoded after all: keep it as written
      }
      return token.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

const within = (inner: string[], outer: string[]) => outer.length <= inner.length && outer.every((s, i) => inner[i] === s);

type Unit = OutputUnit & { kl: string[]; il: string[] };

/**
 * The validator's errors as problems to fix. Alternatives (anyOf, oneOf) that all failed are
 * judged together: when only one of them is the kind of value given (its type, `const` or
 * discriminating property matches), its own problems are the ones to fix; otherwise the
 * problem is which alternatives there are, in words, plus the problems of the closest one.
 * (The config's own `anyOf` of `required` lists is judged by the caller, config-validation.ts.)
 */
export function problemsOf(ctx: Context, errors: readonly OutputUnit[]): Problem[] {
  const units: Unit[] = [];
  for (const e of errors) {
    const previous = units[units.length - 1];
    // A `false` schema reports its instance as its location: it is the subschema of the wrapper just before it.
    const keywordLocation = e.keyword === 'false' && previous && WRAPPERS.has(previous.keyword) ? previous.keywordLocation : e.keywordLocation;
    units.push({ ...e, keywordLocation, kl: segments(keywordLocation), il: segments(e.instanceLocation) });
  }
  return interpret(ctx, units);
}

function interpret(ctx: Context, units: Unit[]): Problem[] {
  // The outermost failed alternatives: those not inside an alternative of another.
  const choices = units.filter((u) => ALTERNATIVES.has(u.keyword));
  const outermost = choices.filter((c) => !choices.some((o) => o !== c && alternativeOf(c, o) !== undefined));
  const problems: Problem[] = [];
  for (const u of units) {
    if (outermost.some((c) => alternativeOf(u, c) !== undefined)) continue;
    if (ALTERNATIVES.has(u.keyword)) problems.push(...alternativeProblems(ctx, u, units.filter((e) => alternativeOf(e, u) !== undefined)));
    else if (!WRAPPERS.has(u.keyword) && !probed(u)) {
      const problem = problemOf(ctx, u);
      if (problem) problems.push(problem);
    }
  }
  return problems;
}

/** Which alternative of `choice` an error is part of, if any: its schema location and its value are both inside it. */
function alternativeOf(e: Unit, choice: Unit): number | undefined {
  if (e === choice || e.kl.length <= choice.kl.length || !within(e.kl, choice.kl) || !within(e.il, choice.il)) return undefined;
  const index = Number(e.kl[choice.kl.length]);
  return Number.isInteger(index) ? index : undefined;
}

function probed(u: Unit): boolean {
  // The keyword itself (`…/contains`) is the problem; what follows `…/contains/…` was only tried.
  return u.kl.slice(0, -1).some((s, i) => PROBES.has(s) && !NAMED.has(u.kl[i - 1] ?? ''));
}

function alternativeProblems(ctx: Context, choice: Unit, inside: Unit[]): Problem[] {
  const options = schemaAt(ctx, choice.kl);
  const alternatives = Array.isArray(options) ? options : [];
  const byAlternative = alternatives.map((_, i) => inside.filter((e) => alternativeOf(e, choice) === i));
  const here = (words: string): Problem => ({ path: choice.il, labels: labelsFor(ctx, choice.kl, choice.il).labels, words, keyword: choice.keyword });
  const properties = record(resolved(ctx, schemaAt(ctx, choice.kl.slice(0, -1))).properties);
  const names = alternatives.map((a, i) => alternativeName(ctx, a, i, properties));
  const matched = byAlternative.flatMap((errors, i) => (errors.length === 0 ? [i] : []));
  if (matched.length > 1) return [here(`must match only one of: ${matched.map((i) => names[i]!.name).join(', ')}`)];
  // Alternatives of another kind than the value (type, const or a discriminating property's const/enum) are not what was meant.
  const meant = byAlternative.flatMap((errors, i) => (errors.some((e) => ruledOut(e, choice)) ? [] : [i]));
  if (meant.length === 1) return interpret(ctx, byAlternative[meant[0]!]!);
  const summary = here(alternativesWords(ctx, alternatives, names));
  if (meant.length === 0) return [summary];
  // Several could be meant: the one closest to complete (the first, when as close) shows what it still needs.
  const found = meant.map((i) => interpret(ctx, byAlternative[i]!));
  const closest = found.reduce((best, p) => (p.length < best.length ? p : best));
  return [summary, ...closest];
}

function ruledOut(e: Unit, choice: Unit): boolean {
  const depth = e.il.length - choice.il.length;
  if (e.keyword === 'type' || e.keyword === 'false') return depth === 0;
  return (e.keyword === 'const' || e.keyword === 'enum') && depth <= 1;
}

type AlternativeName = { name: string; /** Named by the kind of value or the value it is, not by a title or its fields. */ plain: boolean };

/** An alternative as a person would name it: its title; the value or kind of value it is; the fields it requires; else its number. */
function alternativeName(ctx: Context, alternative: unknown, i: number, properties: Json): AlternativeName {
  const a = resolved(ctx, alternative);
  if (typeof a.title === 'string' && a.title.trim() !== '') return { name: a.title.trim(), plain: false };
  if (a.const !== undefined) return { name: shown(a.const), plain: true };
  if (Array.isArray(a.enum)) return { name: listOf(a.enum.map(shown), 'or'), plain: true };
  if (Array.isArray(a.required) && a.required.length > 0 && Object.keys(a).every((k) => ['required', 'description', '$comment'].includes(k)))
    return { name: listOf(a.required.map(String).map((name) => propertyLabel(ctx, properties[name], name))), plain: false };
  const types = (Array.isArray(a.type) ? a.type : [a.type]).filter((t): t is string => typeof t === 'string');
  if (types.length > 0) return { name: listOf(types.map((t) => typeNoun(t) ?? t), 'or'), plain: true };
  return { name: `option ${i + 1}`, plain: false };
}

function alternativesWords(ctx: Context, alternatives: unknown[], names: AlternativeName[]): string {
  // Null is no value (an empty setting is left out), so "empty" is not offered.
  const offered = names.filter((_, i) => resolved(ctx, alternatives[i]).type !== 'null');
  // Kinds of value and values read as a type would ("must be text or a whole number").
  if (offered.every((n) => n.plain)) return `must be ${listOf(offered.map((n) => n.name), 'or')}`;
  return `must match one of: ${offered.map((n) => n.name).join(', ')}`;
}

function problemOf(ctx: Context, u: Unit): Problem | undefined {
  const { labels, property } = labelsFor(ctx, u.kl, u.il);
  const at = (path: string[], words: string, more: string[] = []): Problem => ({ path, labels: [...labels, ...more], words, keyword: u.keyword });
  switch (u.keyword) {
    case 'required': {
      const name = /required property "(.*)"\.$/s.exec(u.error)?.[1];
      if (name === undefined) return at(u.il, 'is missing a required field');
      return at([...u.il, name], 'is required', [propertyLabel(ctx, property(name), name)]);
    }
    case 'dependentRequired':
    case 'dependencies': {
      // The schema form of `dependencies` only announces its subschema's errors, which follow.
      if (/does not match dependant schema/.test(u.error)) return undefined;
      const [, given, needed] = /has "(.*)" but does not have "(.*)"\.$/s.exec(u.error) ?? [];
      if (given === undefined || needed === undefined) return at(u.il, 'is not valid');
      return at([...u.il, needed], `is required when ${propertyLabel(ctx, property(given), given)} is given`, [propertyLabel(ctx, property(needed), needed)]);
    }
    case 'false': {
      // A key no schema allows: under `additionalProperties: false`, a field the object does not have.
      const unknown = u.kl[u.kl.length - 1] === 'additionalProperties' || u.kl[u.kl.length - 1] === 'unevaluatedProperties';
      if (!unknown) return at(u.il, 'is not allowed');
      return { ...at(u.il, u.il.length === 1 ? 'is not a setting of this connector' : 'is not a field it has'), keyword: 'additionalProperties' };
    }
    case 'format': {
      const value = valueAt(ctx.data, u.il);
      // Meltano's `date_iso8601` settings (format `date` here) take a date and time as well.
      if (schemaAt(ctx, u.kl) === 'date' && typeof value === 'string' && format['date-time']!(value)) return undefined;
      return at(u.il, keywordWords(u.keyword, schemaAt(ctx, u.kl)));
    }
    default:
      return at(u.il, keywordWords(u.keyword, schemaAt(ctx, u.kl)));
  }
}

const record = (v: unknown): Json => (isObject(v) ? v : {});

function resolved(ctx: Context, node: unknown, depth = 0): Json {
  const n = record(node);
  const ref = n.__absolute_ref__;
  if (typeof ref === 'string' && depth < 20 && Object.keys(n).every((k) => k === '$ref' || k === 'title' || k === 'description')) {
    const target = resolved(ctx, ctx.compiled.lookup[ref], depth + 1);
    return { ...target, ...(typeof n.title === 'string' ? { title: n.title } : {}) };
  }
  return n;
}

/** A property as the form labels it: its title, else its name made readable. */
function propertyLabel(ctx: Context, property: unknown, name: string): string {
  const title = resolved(ctx, property).title;
  return typeof title === 'string' && title.trim() !== '' ? title : humanise(name);
}

/** What the schema holds at a keyword location (`…/maximum` → 65535), following `$ref`s. */
function schemaAt(ctx: Context, kl: string[]): unknown {
  let node: unknown = ctx.compiled.root;
  for (const s of kl) {
    if (s === '$ref') node = ctx.compiled.lookup[String(record(node).__absolute_ref__)];
    else if (Array.isArray(node)) node = node[Number(s)];
    else node = record(node)[s];
  }
  return node;
}

function valueAt(data: unknown, path: string[]): unknown {
  let value = data;
  for (const s of path) value = Array.isArray(value) ? value[Number(s)] : record(value)[s];
  return value;
}

/**
 * How each step of the value's path reads, found by walking the schema along the error's
 * keyword location: a property by its label, an item by its number ("item 1"), a map's
 * entry by its key. Returns the schema reached too (where `required` was found).
 */
function labelsFor(ctx: Context, kl: string[], il: string[]): { labels: string[]; property: (name: string) => unknown } {
  let node: unknown = ctx.compiled.root;
  const labels: string[] = [];
  // The schemas applied to the value reached, outermost first: an alternative's `required` names properties its parent describes.
  let applied: unknown[] = [node];
  const step = (label: string) => {
    labels.push(label);
    applied = [];
  };
  const entry = () => il[labels.length] ?? '';
  const item = () => `item ${Number(entry()) + 1}`;
  for (let i = 0; i < kl.length; i++) {
    const s = kl[i]!;
    const here = record(node);
    if (s === '$ref') node = ctx.compiled.lookup[String(here.__absolute_ref__)];
    else if (s === 'properties') {
      const name = kl[++i] ?? '';
      node = record(here.properties)[name];
      step(propertyLabel(ctx, node, name));
    } else if (s === 'patternProperties' || s === 'additionalProperties' || s === 'unevaluatedProperties') {
      if (s === 'patternProperties') node = record(here.patternProperties)[kl[++i] ?? ''];
      else node = here[s];
      if (labels.length < il.length) step(`"${entry()}"`);
    } else if (s === 'items' || s === 'prefixItems' || s === 'additionalItems' || s === 'unevaluatedItems') {
      const list = here[s];
      node = Array.isArray(list) ? list[Number(kl[++i])] : list;
      if (labels.length < il.length) step(item());
    } else if (INDEXED.has(s) || s === '$defs' || s === 'definitions' || s === 'dependentSchemas') {
      const list = here[s];
      const key = kl[++i] ?? '';
      node = Array.isArray(list) ? list[Number(key)] : record(list)[key];
    } else if (s === 'not' || s === 'if' || s === 'then' || s === 'else') node = here[s];
    else break; // the keyword that failed
    applied.push(node);
  }
  // Steps the walk could not follow (a probe's item): named plainly.
  while (labels.length < il.length) step(/^\d+$/.test(entry()) ? item() : `"${entry()}"`);
  const property = (name: string) => [...applied].reverse().map((n) => record(resolved(ctx, n).properties)[name]).find((p) => p !== undefined);
  return { labels, property };
}

/** "Streams, item 1: Name is required"; a top-level setting is simply "Port must be a whole number". */
export function problemSentence(problem: Pick<Problem, 'labels' | 'words'>): string {
  const { labels, words } = problem;
  if (labels.length === 0) return `The settings ${words}`;
  const subject = capitalise(labels[labels.length - 1]!);
  const where = labels.slice(0, -1);
  return capitalise(where.length === 0 ? `${subject} ${words}` : `${where.join(', ')}: ${subject} ${words}`);
}

/** Problems once each, leaving out those about stand-in values (judged.ts). */
export function kept(problems: Problem[], standIns: ReadonlySet<string>): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${pathKey(p.path)}\n${p.words}`;
    const standIn = p.path.some((_, i) => standIns.has(pathKey(p.path.slice(0, i + 1))));
    if (standIn || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A top-level setting's label: its title, else its name made readable (as the form labels it). */
export const settingLabel = (compiled: CompiledSchema, name: string) => propertyLabel({ compiled, data: undefined }, record(compiled.root.properties)[name], name);
