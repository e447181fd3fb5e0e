/**
 * A plugin's `pip_url`, checked as one PyPI package requirement (PEP 508 name, optional
 * extras, version specifiers) and nothing else: never a URL (`git+https://…`, `pkg @ https://…`),
 * a local path, several requirements, pip options (`--index-url`) or shell text. Meltano
 * would hand anything to pip, and pip follows URLs and reads paths.
 *
 * @example
 * parseRequirement('meltanolabs-tap-github==1.30.1') // { ok: true, name: 'meltanolabs-tap-github', pinned: '1.30.1', ... }
 * parseRequirement('git+https://github.com/x/y')     // { ok: false, reason: 'must be a package name from PyPI, not a URL ...' }
 */
export type Requirement = {
  ok: true;
  /** As written. */
  text: string;
  /** Normalised as PyPI compares names (PEP 503): lowercase, runs of `-_.` as `-`. */
  name: string;
  /** The name as written (`meltanolabs-tap-github`). */
  rawName: string;
  extras: string[];
  /** The exact version when the requirement pins one (`==1.2.3`), else undefined. */
  pinned: string | undefined;
};
export type RequirementProblem = { ok: false; reason: string };

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const EXTRA = NAME;
// PEP 440 versions as people pin them (1.2.3, 1.0.0a1, 2.0.post1, 1.2.*); the operator is checked apart.
const VERSION = /^[0-9]+(?:\.[0-9]+)*(?:\.\*)?(?:(?:a|b|rc)[0-9]+)?(?:\.post[0-9]+)?(?:\.dev[0-9]+)?$/;
const OPERATORS = ['===', '==', '!=', '~=', '>=', '<=', '>', '<'] as const;

export const normalisePackageName = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '-');

export function parseRequirement(input: unknown): Requirement | RequirementProblem {
  if (typeof input !== 'string' || input.trim() === '') return { ok: false, reason: 'is required: the package name on PyPI, e.g. meltanolabs-tap-github==1.30.1' };
  const text = input.trim();
  if (text.length > 200) return { ok: false, reason: 'is too long for a package requirement (200 characters at most)' };
  if (/:\/\/|^[a-z+]+:|\s@|@\s|^@/i.test(text)) return { ok: false, reason: 'must be a package name from PyPI, not a URL (e.g. meltanolabs-tap-github==1.30.1)' };
  if (text.startsWith('-')) return { ok: false, reason: 'must be a package name, not an option for pip' };
  if (/\s/.test(text)) return { ok: false, reason: 'must be one package requirement, with no spaces (e.g. tap-foo==1.2.3)' };
  if (/^[./~\\]|[/\\]/.test(text)) return { ok: false, reason: 'must be a package name from PyPI, not a path to a file or folder' };
  if (/[;`$|&"'(){}#%^*?]/.test(text.replace(/\.\*(?=,|$)/g, ''))) return { ok: false, reason: 'may only hold a package name, [extras] and versions (letters, digits, - _ . [ ] , = < > ~ !)' };

  const match = /^([^[=<>!~]+)(?:\[([^\]]*)\])?(.*)$/.exec(text);
  const name = match?.[1] ?? '';
  if (!NAME.test(name)) return { ok: false, reason: `starts with "${name}", which is not a valid package name (letters, digits, -, _ and . only)` };
  const extras = match?.[2] === undefined ? [] : match[2].split(',').map((e) => e.trim());
  if (extras.some((e) => !EXTRA.test(e))) return { ok: false, reason: 'has an extra that is not a valid name: extras look like [s3,parquet]' };

  const specifiers = match?.[3] ?? '';
  let pinned: string | undefined;
  if (specifiers !== '') {
    for (const part of specifiers.split(',')) {
      const operator = OPERATORS.find((o) => part.startsWith(o));
      const version = operator ? part.slice(operator.length) : '';
      if (!operator || !VERSION.test(version)) return { ok: false, reason: `has a version part "${part}" that is not a version like ==1.2.3 or >=1.0,<2` };
      if ((operator === '==' || operator === '===') && !version.includes('*')) pinned = version;
    }
  }
  return { ok: true, text, name: normalisePackageName(name), rawName: name, extras, pinned };
}

/** The requirement pinned to the version pip installed: `tap-foo[s3]>=1` with 1.4.2 → `tap-foo[s3]==1.4.2`. */
export function pinnedRequirement(requirement: Requirement, version: string): string {
  const extras = requirement.extras.length > 0 ? `[${requirement.extras.join(',')}]` : '';
  return `${requirement.rawName}${extras}==${version}`;
}

/**
 * A whole `pip_url`: the plugin's package, optionally followed (space-separated, as Meltano
 * reads it) by a few exactly pinned packages it needs beside it (`tap-x==1.0 setuptools==80.10.2`,
 * for a plugin that imports a module its own requirements forgot).
 */
export type PipUrl = { ok: true; text: string; main: Requirement; companions: Requirement[] };
export const MAX_COMPANIONS = 4;

export function parsePipUrl(input: unknown): PipUrl | RequirementProblem {
  if (typeof input !== 'string' || input.trim() === '') return parseRequirement(input) as RequirementProblem;
  const parts = input.trim().split(/ +/);
  if (parts.length > 1 + MAX_COMPANIONS) return { ok: false, reason: `holds ${parts.length} packages; give the plugin's package and at most ${MAX_COMPANIONS} pinned companions` };
  const parsed = parts.map(parseRequirement);
  const bad = parsed.findIndex((r) => !r.ok);
  if (bad >= 0) {
    const reason = (parsed[bad] as RequirementProblem).reason;
    return { ok: false, reason: parts.length === 1 ? reason : `package ${bad + 1} (${parts[bad]}) ${reason}` };
  }
  const [main, ...companions] = parsed as Requirement[];
  const loose = companions.find((c) => !c.pinned);
  if (loose) return { ok: false, reason: `names ${loose.text} beside the plugin's package: a companion package must be pinned exactly (==)` };
  if (new Set(parsed.map((r) => (r as Requirement).name)).size !== parsed.length) return { ok: false, reason: 'names the same package twice' };
  return { ok: true, text: parts.join(' '), main: main!, companions };
}
