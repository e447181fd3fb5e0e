/** Singer messages as the target accepts them; anything else is a clear error naming the line. */
export type SchemaMessage = { type: 'SCHEMA'; stream: string; schema: { properties?: Record<string, unknown>; required?: unknown }; key_properties: string[] };
export type RecordMessage = { type: 'RECORD'; stream: string; record: Record<string, unknown>; time_extracted?: string; version?: number };
export type StateMessage = { type: 'STATE'; value: unknown };
export type ActivateVersionMessage = { type: 'ACTIVATE_VERSION'; stream: string; version: number };
export type Message = SchemaMessage | RecordMessage | StateMessage | ActivateVersionMessage;

export class MessageError extends Error {
  override name = 'MessageError';
  constructor(
    readonly line: number,
    message: string,
    readonly stream?: string,
  ) {
    super(`line ${line}${stream ? ` (stream "${stream}")` : ''}: ${message}`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseMessage(text: string, line: number): Message {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new MessageError(line, `not valid JSON: ${text.slice(0, 80)}${text.length > 80 ? '…' : ''}`);
  }
  if (!isObject(raw)) throw new MessageError(line, 'a Singer message must be a JSON object');
  const stream = typeof raw.stream === 'string' ? raw.stream : undefined;
  switch (raw.type) {
    case 'RECORD':
      if (!stream) throw new MessageError(line, 'RECORD has no "stream"');
      if (!isObject(raw.record)) throw new MessageError(line, 'RECORD has no "record" object', stream);
      return raw as RecordMessage;
    case 'SCHEMA':
      if (!stream) throw new MessageError(line, 'SCHEMA has no "stream"');
      if (!isObject(raw.schema)) throw new MessageError(line, 'SCHEMA has no "schema" object', stream);
      if (raw.key_properties !== undefined && (!Array.isArray(raw.key_properties) || !raw.key_properties.every((k) => typeof k === 'string'))) {
        throw new MessageError(line, '"key_properties" must be a list of property names', stream);
      }
      return { type: 'SCHEMA', stream, schema: raw.schema, key_properties: (raw.key_properties as string[] | undefined) ?? [] };
    case 'STATE':
      return { type: 'STATE', value: raw.value };
    case 'ACTIVATE_VERSION':
      if (!stream || typeof raw.version !== 'number') throw new MessageError(line, 'ACTIVATE_VERSION needs "stream" and a numeric "version"', stream);
      return raw as ActivateVersionMessage;
    case 'BATCH':
      throw new MessageError(line, 'BATCH messages are not supported yet; turn off batch mode in the tap settings', stream);
    default:
      throw new MessageError(line, `unknown message type ${JSON.stringify(raw.type)}`, stream);
  }
}
