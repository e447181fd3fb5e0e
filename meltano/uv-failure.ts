/**
 * Why uv could not install a package, in one sentence a person can act on, read from uv's own
 * error lines (`error: …` and the `cause: …` lines under it; the fancy `×`/`╰─▶` form too).
 * uv's lines themselves stay in the log beside it.
 */
export type InstallFailureReason = { message: string; transient: boolean };

type Rule = { pattern: RegExp; explain: (m: RegExpExecArray) => string; transient?: boolean };

const CHECK_PIP_URL = "Check the package name and version in the plugin's pip_url.";

const RULES: Rule[] = [
  {
    pattern: /Because (\S+?) was not found in the package registry/,
    explain: (m) => `no package named "${m[1]}" exists on PyPI. ${CHECK_PIP_URL}`,
  },
  {
    pattern: /there is no version of ([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s,]+)/,
    explain: (m) => `no version ${m[2]} of the package "${m[1]}" exists on PyPI. ${CHECK_PIP_URL}`,
  },
  {
    pattern: /there is no version of ([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?([<>=!~][^\s]*?)(?: and|,|$)/m,
    explain: (m) => `no version of the package "${m[1]}" matching ${m[2]} exists on PyPI. ${CHECK_PIP_URL}`,
  },
  {
    pattern: /Because only ([A-Za-z0-9][A-Za-z0-9._-]*?)([<>=!~]=?[^\s]+) is available and you require \S+?([<>=!~]=?[^\s,]+)/,
    explain: (m) => `no version of the package "${m[1]}" matching ${m[3]} exists on PyPI (what exists: ${m[2]}). ${CHECK_PIP_URL}`,
  },
  {
    pattern: /current Python version \(([\d.]+)\) does not satisfy Python([^\s,]+)/,
    explain: (m) => `it needs Python ${m[2]}, and this machine's Python is ${m[1]}. Choose a version of the package that supports Python ${m[1]}.`,
  },
  {
    pattern: /Failed to parse: `([^`]*)`/,
    explain: (m) => `"${m[1]}" is not a valid package requirement (write it as name==version, e.g. tap-foo==1.2.3). ${CHECK_PIP_URL}`,
  },
  {
    pattern: /Failed to (?:build|download and build) `([^`]+)`/,
    explain: (m) => `building ${m[1]} from its source failed on this machine (it may need a compiler or system libraries). uv's output is in the run log; a version of the package that ships a wheel avoids the build.`,
  },
  {
    pattern: /Failed to fetch|error sending request|dns error|Connection refused|tcp connect error|operation timed out|timed out|Network unreachable|failed to lookup address/i,
    explain: () => 'PyPI (or the package index this machine uses) could not be reached. Check that this machine reaches it (a proxy, a mirror in UV_DEFAULT_INDEX); Sluice tries again.',
    transient: true,
  },
];

/** The text after `error:`/`cause:`/`×`/`╰─▶`, one logical line each (a cause may wrap onto indented lines). */
export function uvErrorText(lines: string[]): string[] {
  const out: string[] = [];
  let inError = false;
  for (const raw of lines) {
    const line = raw.replace(/\s+$/, '');
    const head = /^\s*(?:error:|×)\s*(.*)$/.exec(line);
    const cause = /^\s*(?:cause:|Caused by:|╰─▶|├─▶)\s*(.*)$/.exec(line);
    if (head) {
      inError = true;
      out.push(head[1]!);
    } else if (inError && cause) {
      out.push(cause[1]!);
    } else if (inError && /^\s{3,}\S/.test(line) && !/^\s*hint:/.test(line) && out.length > 0) {
      out[out.length - 1] += ` ${line.trim()}`;
    } else if (/^\S/.test(line) && !/^hint:/.test(line)) {
      inError = false;
    }
  }
  return out;
}

/**
 * @example
 * explainUvFailure(['error: No solution found when resolving dependencies', '  cause: Because there is no version of tap-jsonl==9.9 and you require tap-jsonl==9.9, we can conclude that your requirements are unsatisfiable.'], 'tap-jsonl==9.9')
 * // { message: 'Could not install tap-jsonl==9.9: no version 9.9 of the package "tap-jsonl" exists on PyPI. Check …', transient: false }
 */
export function explainUvFailure(lines: string[], subject: string): InstallFailureReason {
  const errors = uvErrorText(lines);
  const text = errors.join('\n');
  for (const rule of RULES) {
    const match = rule.pattern.exec(text);
    if (match) return { message: `Could not install ${subject}: ${rule.explain(match)}`, transient: rule.transient ?? false };
  }
  // What uv said last is the most specific (its first line is the summary, the causes narrow it down).
  const detail = errors.length > 0 ? errors.slice(-2).join(': ').replace(/\.?$/, '.') : 'uv stopped without saying why; its output is in the run log.';
  return { message: `Could not install ${subject}: ${detail}`, transient: false };
}
