import { describe, expect, it } from 'vitest';
import { isRecordType, scanCompactRecord, scanMessage } from './message-scan.js';

const text = (buf: Buffer, span?: { start: number; end: number }) => (span ? buf.toString('utf8', span.start, span.end) : undefined);

describe('scanMessage (any layout)', () => {
  it('finds the fields in any order and spacing', () => {
    const line = Buffer.from('{ "record" : {"a": "}{\\"", "b": [1, {"c": null}]}, "time_extracted": "2024-01-01T00:00:00Z", "stream": "s", "type": "RECORD", "extra": {"x": 1} }');
    const scan = scanMessage(line)!;
    expect(text(line, scan.record)).toBe('{"a": "}{\\"", "b": [1, {"c": null}]}');
    expect(text(line, scan.stream)).toBe('"s"');
    expect(text(line, scan.timeExtracted)).toBe('"2024-01-01T00:00:00Z"');
    expect(isRecordType(line, scan.type)).toBe(true);
  });

  it('rejects lines that are not one whole JSON object', () => {
    for (const bad of ['', '[]', '{"type":"RECORD"', '{"type":"RECORD",}', '{"a":1} x', '{"record":{"a":1}', '{"a" 1}']) {
      expect(scanMessage(Buffer.from(bad)), bad).toBeUndefined();
    }
  });

  it('notes escapes in the stream name', () => {
    expect(scanMessage(Buffer.from('{"type":"RECORD","stream":"a\\u00e9","record":{}}'))!.escapedStream).toBe(true);
  });
});

describe('scanCompactRecord (the SDK layout, head and tail only)', () => {
  it('places record, version and time_extracted', () => {
    const line = Buffer.from('{"type":"RECORD","stream":"public-users","record":{"id":1,"s":"x\\"}"},"version":17,"time_extracted":"2024-01-01T00:00:00+00:00"}');
    const scan = scanCompactRecord(line)!;
    expect(text(line, scan.stream)).toBe('"public-users"');
    expect(text(line, scan.record)).toBe('{"id":1,"s":"x\\"}"}');
    expect(text(line, scan.version)).toBe('17');
    expect(text(line, scan.timeExtracted)).toBe('"2024-01-01T00:00:00+00:00"');
  });

  it('works without trailing fields and leaves other layouts to scanMessage', () => {
    const plain = Buffer.from('{"type":"RECORD","stream":"s","record":{"id":1,"name":"n"}}');
    expect(text(plain, scanCompactRecord(plain)!.record)).toBe('{"id":1,"name":"n"}');
    expect(scanCompactRecord(Buffer.from('{"type": "RECORD", "stream": "s", "record": {"id": 1}}'))).toBeUndefined();
    expect(scanCompactRecord(Buffer.from('{"type":"RECORD","stream":"s\\"x","record":{"id":1}}'))).toBeUndefined();
    expect(scanCompactRecord(Buffer.from('{"type":"RECORD","stream":"s","record":{"id":1},"other":"z"}'))).toBeUndefined();
    expect(scanCompactRecord(Buffer.from('{"type":"STATE","value":{"bookmarks":{"a":{"id":1}}}}'))).toBeUndefined();
  });
});
