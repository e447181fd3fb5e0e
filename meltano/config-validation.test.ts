import { describe, expect, it } from 'vitest';
import { validateConfig } from './config-validation.js';
import type { JsonSchema } from './settings-schema.js';

const schema = { type: 'object', properties: { host: { type: 'string' }, port: { type: 'integer' } }, required: ['host'], additionalProperties: false } as unknown as JsonSchema;

describe('validateConfig', () => {
  it("refuses names of Object.prototype's members as settings", () => {
    for (const name of ['toString', 'constructor', 'hasOwnProperty', 'valueOf', '__proto__', 'isPrototypeOf']) {
      // JSON.parse makes "__proto__" an own key, as a request body would
      const config = JSON.parse(`{"host": "h", ${JSON.stringify(name)}: "x"}`) as Record<string, unknown>;
      expect(validateConfig(schema, config), name).toEqual({ [name]: ['is not a setting of this connector'] });
    }
  });

  it('does not count an inherited member as a required setting', () => {
    const needsToString = { type: 'object', properties: { host: { type: 'string' } }, required: ['toString'] } as unknown as JsonSchema;
    expect(validateConfig(needsToString, { host: 'h' })).toEqual({ toString: ['is required'] });
    expect(validateConfig(schema, { port: 5 })).toEqual({ host: ['is required'] });
  });
});
