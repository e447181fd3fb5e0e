/**
 * A dBase III table file (.dbf), written byte by byte as the format has it: a 32-byte header,
 * a 32-byte descriptor per field, 0x0D, fixed-width records each led by a deletion flag
 * (' ' kept, '*' deleted), then 0x1A. For testing a file source on data we made ourselves.
 */
export type DbfField = { name: string; type: 'C' | 'N' | 'D' | 'L'; length: number; decimals?: number };
export type DbfRow = { deleted?: boolean; values: Array<string | number | boolean | null> };

function cell(field: DbfField, value: string | number | boolean | null): string {
  const pad = (text: string, left: boolean) => (text.length > field.length ? text.slice(0, field.length) : left ? text.padStart(field.length) : text.padEnd(field.length));
  if (value === null) return ' '.repeat(field.length);
  switch (field.type) {
    case 'N':
      return pad(Number(value).toFixed(field.decimals ?? 0), true);
    case 'L':
      return value ? 'T' : 'F';
    case 'D':
      return pad(String(value).replace(/-/g, ''), false);
    default:
      return pad(String(value), false);
  }
}

export function dbfFile(fields: DbfField[], rows: DbfRow[], updated = new Date(Date.UTC(2024, 0, 31))): Buffer {
  const recordLength = 1 + fields.reduce((sum, f) => sum + f.length, 0);
  const headerLength = 32 + 32 * fields.length + 1;
  const header = Buffer.alloc(32);
  header.writeUInt8(0x03, 0);
  header.writeUInt8(updated.getUTCFullYear() - 1900, 1);
  header.writeUInt8(updated.getUTCMonth() + 1, 2);
  header.writeUInt8(updated.getUTCDate(), 3);
  header.writeUInt32LE(rows.length, 4);
  header.writeUInt16LE(headerLength, 8);
  header.writeUInt16LE(recordLength, 10);
  // Language driver: Windows ANSI (cp1252), so readers decode é and ü as we wrote them.
  header.writeUInt8(0x57, 29);
  const descriptors = fields.map((f) => {
    const d = Buffer.alloc(32);
    d.write(f.name.slice(0, 10), 0, 'latin1');
    d.write(f.type, 11, 'latin1');
    d.writeUInt8(f.length, 16);
    d.writeUInt8(f.decimals ?? 0, 17);
    return d;
  });
  const records = rows.map((row) => Buffer.from((row.deleted ? '*' : ' ') + fields.map((f, i) => cell(f, row.values[i] ?? null)).join(''), 'latin1'));
  return Buffer.concat([header, ...descriptors, Buffer.from([0x0d]), ...records, Buffer.from([0x1a])]);
}
