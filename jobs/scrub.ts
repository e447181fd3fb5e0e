/**
 * Replaces every secret value of a run's connectors with ******** in text we store or
 * show. Also catches the forms a secret takes inside JSON and URLs.
 *
 * @example
 * createScrubber(['hunter2'])('login with hunter2') // 'login with ********'
 */
export function createScrubber(secrets: string[]): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    // Very short values (a 1-2 character "password") would blank out ordinary text; they are not hidden here.
    if (secret.length < 3) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(encodeURIComponent(secret));
  }
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return (text) => text;
  const pattern = new RegExp(ordered.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return (text) => text.replace(pattern, '********');
}
