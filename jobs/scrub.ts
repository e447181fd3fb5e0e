/**
 * Replaces every secret value of a run's connectors with ******** in text we store or
 * show. Also catches the forms a secret takes inside JSON, URLs and Python reprs, the parts
 * of a secret connection URL a driver prints on their own (its password, its user:password),
 * and the password of any URL written with credentials, known to us or not.
 *
 * @example
 * createScrubber(['hunter2'])('login with hunter2') // 'login with ********'
 */
export function createScrubber(secrets: string[]): (text: string) => string {
  const forms = new Set<string>();
  const add = (value: string) => {
    // Very short values (a 1-2 character "password") would blank out ordinary text; they are not hidden here.
    if (value.length < 3) return;
    forms.add(value);
    forms.add(JSON.stringify(value).slice(1, -1));
    forms.add(encodeURIComponent(value));
    forms.add(value.replace(/\\/g, '\\\\').replace(/'/g, "\\'"));
  };
  for (const secret of secrets) {
    add(secret);
    for (const part of urlCredentials(secret)) add(part);
  }
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  const pattern = ordered.length > 0 ? new RegExp(ordered.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g') : undefined;
  return (text) => maskUrlPasswords(pattern ? text.replace(pattern, '********') : text);
}

/** The password of a URL secret, raw and decoded, and `user:password`: drivers print these apart from the URL. */
function urlCredentials(value: string): string[] {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/@\s]*)@/i.exec(value);
  const userinfo = match?.[1];
  if (!userinfo || !userinfo.includes(':')) return [];
  const password = userinfo.slice(userinfo.indexOf(':') + 1);
  const decoded = safeDecode(password);
  return [userinfo, password, decoded, safeDecode(userinfo)];
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** `scheme://user:password@host` → `scheme://user:********@host`, whoever's URL it is. */
const maskUrlPasswords = (text: string) => text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s'"]*:)([^@\s'"/]+)@/gi, (_m, head: string, pw: string) => (pw === '********' ? `${head}${pw}@` : `${head}********@`));
