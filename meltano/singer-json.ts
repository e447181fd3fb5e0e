/**
 * A Singer message line as JSON, also when a tap writes the bare `NaN`, `Infinity` and
 * `-Infinity` JSON has no words for (Python's json does; so does tap-sluice-postgres, for
 * exact floats): those become the strings "NaN", "Infinity", "-Infinity". Undefined for a
 * line that is not JSON even then.
 */
export function parseSingerLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    if (!/NaN|Infinity/.test(line)) return undefined;
    try {
      return JSON.parse(quoteBareNonFinite(line));
    } catch {
      return undefined;
    }
  }
}

/** Quotes NaN / Infinity / -Infinity where they stand as values, never inside strings. */
export function quoteBareNonFinite(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      continue;
    }
    const word = /^(-?Infinity|NaN)/.exec(text.slice(i, i + 9))?.[1];
    if (word) {
      out += `"${word}"`;
      i += word.length - 1;
      continue;
    }
    out += c;
  }
  return out;
}
