import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { isMap, isSeq, parseDocument, type Document, type YAMLSeq } from 'yaml';
import { meltanoFile } from './project.js';
import type { PluginDefinition, PluginKind, Setting } from './plugins.js';

/**
 * Edits meltano.yml as a document, not as data: comments, key order, quoting and the flow
 * lists (`[about, catalog]`) of everything else stay as they were written. A plugin's
 * definition is written in the order people read it: who it is, how it installs, its settings.
 */
const SECTION: Record<PluginKind, 'extractors' | 'loaders'> = { extractor: 'extractors', loader: 'loaders' };
const STRING_OPTIONS = { lineWidth: 0, flowCollectionPadding: false } as const;

export type DefinitionInput = Omit<PluginDefinition, 'kind'>;

function orderedSetting(s: Setting): Record<string, unknown> {
  const { name, kind, label, description, placeholder, documentation, value, sensitive, options, advanced, json_schema, ...rest } = s;
  return Object.fromEntries(
    Object.entries({ name, kind: kind === 'string' && !sensitive ? undefined : kind, label, description, placeholder, documentation, value, sensitive, advanced, options, json_schema, ...rest })
      .filter(([, v]) => v !== undefined),
  );
}

function orderedDefinition(d: DefinitionInput): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries({
      name: d.name,
      label: d.label,
      description: d.description,
      category: d.category,
      setup_guide: d.setup_guide,
      logo_url: d.logo_url,
      docs: d.docs,
      namespace: d.namespace,
      pip_url: d.pip_url,
      executable: d.executable,
      capabilities: d.capabilities,
      settings: d.settings.map(orderedSetting),
      settings_group_validation: d.settings_group_validation.length > 0 ? d.settings_group_validation : undefined,
    }).filter(([, v]) => v !== undefined),
  );
}

function sectionOf(doc: Document, kind: PluginKind): YAMLSeq {
  const plugins = doc.get('plugins', true);
  if (!isMap(plugins)) throw new Error('meltano.yml has no plugins: section');
  let section = plugins.get(SECTION[kind], true);
  if (!isSeq(section)) {
    plugins.set(SECTION[kind], doc.createNode([]));
    section = plugins.get(SECTION[kind], true);
  }
  return section as unknown as YAMLSeq;
}

const indexOf = (section: YAMLSeq, name: string) => section.items.findIndex((item) => isMap(item) && item.get('name') === name);

function nodeFor(doc: Document, definition: DefinitionInput) {
  const node = doc.createNode(orderedDefinition(definition));
  // Short lists read best inline, as the hand-written definitions have them.
  const flow = (path: unknown[]) => {
    const n = node.getIn(path, true);
    if (isSeq(n)) n.flow = true;
  };
  flow(['capabilities']);
  const groups = node.get('settings_group_validation', true);
  if (isSeq(groups)) for (const g of groups.items) if (isSeq(g)) g.flow = true;
  const settings = node.get('settings', true);
  if (isSeq(settings)) {
    for (const s of settings.items) {
      const options = isMap(s) ? s.get('options', true) : undefined;
      if (isSeq(options)) for (const o of options.items) if (isMap(o)) o.flow = true;
    }
  }
  return node;
}

/** meltano.yml's text with `definition` added to its section; refuses a name already there. */
export function withPluginAdded(text: string, kind: PluginKind, definition: DefinitionInput): string {
  const doc = parseDocument(text);
  for (const k of ['extractor', 'loader'] as const) {
    if (indexOf(sectionOf(doc, k), definition.name) >= 0) throw new Error(`meltano.yml already has a plugin named ${definition.name}`);
  }
  sectionOf(doc, kind).items.push(nodeFor(doc, definition));
  return doc.toString(STRING_OPTIONS);
}

/** meltano.yml's text with the named plugin's definition replaced in place (its comment kept). */
export function withPluginReplaced(text: string, kind: PluginKind, definition: DefinitionInput): string {
  const doc = parseDocument(text);
  const section = sectionOf(doc, kind);
  const index = indexOf(section, definition.name);
  if (index < 0) throw new Error(`meltano.yml has no ${kind} named ${definition.name}`);
  const old = section.items[index] as { commentBefore?: string | null; spaceBefore?: boolean };
  const node = nodeFor(doc, definition);
  if (old.commentBefore) node.commentBefore = old.commentBefore;
  if (old.spaceBefore) node.spaceBefore = true;
  section.items[index] = node;
  return doc.toString(STRING_OPTIONS);
}

export function withPluginRemoved(text: string, kind: PluginKind, name: string): string {
  const doc = parseDocument(text);
  const section = sectionOf(doc, kind);
  const index = indexOf(section, name);
  if (index < 0) throw new Error(`meltano.yml has no ${kind} named ${name}`);
  section.items.splice(index, 1);
  return doc.toString(STRING_OPTIONS);
}

export const readMeltanoYml = (file = meltanoFile) => readFile(file, 'utf8');

/** Replaces meltano.yml in one step (a reader sees the old file or the new, never half), keeping its mode. */
export async function writeMeltanoYml(text: string, file = meltanoFile): Promise<void> {
  const mode = (await stat(file)).mode & 0o777;
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, text, { mode });
  await rename(temp, file);
}
