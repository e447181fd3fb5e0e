/** The API's shapes the pages read (snake_case as the API sends them). */
export type JsonSchema = Record<string, unknown>;
export type Plugin = { name: string; kind: 'extractor' | 'loader'; label: string; description: string; category: string; setup_guide: string | null; icon_url?: string | null; docs_url?: string | null; config_schema: JsonSchema };
export type Connector = {
  id: string;
  name: string;
  plugin: string;
  config: Record<string, unknown>;
  secrets: Record<string, { value: string | null; has_value: boolean }>;
  status: 'inactive' | 'active' | 'error';
  last_test: { at: string; ok: boolean | null; error: string | null } | null;
  created_at: string;
  updated_at: string;
};
export type Page<T> = { data: T[]; next_cursor?: string | null };
