/**
 * The rules and words of accepting an invitation, apart from the page so they are tested.
 * The server decides (core/accounts/invitations.ts): a new email sets its own password of at
 * least MIN_PASSWORD_LENGTH characters; an email that already has an account gives that
 * account's current password.
 */

/** Mirrors MIN_PASSWORD_LENGTH in core/accounts/invitations.ts (a test keeps them equal). */
export const MIN_PASSWORD_LENGTH = 12;
/** The API refuses longer passwords (acceptBody in server/accounts/routes.ts). */
export const MAX_PASSWORD_LENGTH = 1000;
export const MAX_NAME_LENGTH = 100;

/** The token from the accept page's address: `acceptPath(token)` puts it in the fragment, `#token=…`. */
export function invitationTokenFromHash(hash: string): string {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  return (params.get('token') ?? '').trim();
}

export type AccountKind = 'new' | 'existing';
export type AcceptForm = { kind: AccountKind; name: string; password: string; again: string };
export type FormProblems = Partial<Record<'name' | 'password' | 'again', string>>;

/** What must change before the form is sent; empty when it can go. */
export function acceptProblems(form: AcceptForm): FormProblems {
  const problems: FormProblems = {};
  if (form.password === '') problems.password = form.kind === 'new' ? 'Choose a password.' : "Enter your account's current password.";
  else if (form.password.length > MAX_PASSWORD_LENGTH) problems.password = `Use at most ${MAX_PASSWORD_LENGTH} characters.`;
  else if (form.kind === 'new' && form.password.length < MIN_PASSWORD_LENGTH) problems.password = `Use at least ${MIN_PASSWORD_LENGTH} characters (you have ${form.password.length}). A few ordinary words in a row make a good one.`;
  if (form.kind === 'new') {
    if (form.again === '') problems.again = 'Type the password a second time.';
    else if (form.again !== form.password && !problems.password) problems.again = 'The two passwords are not the same. Type them again.';
    if (form.name.trim().length > MAX_NAME_LENGTH) problems.name = `Use at most ${MAX_NAME_LENGTH} characters.`;
  }
  return problems;
}

/** The request body: the name only for a new account, and only when one was given. */
export function acceptBody(token: string, form: AcceptForm): { token: string; password: string; name?: string } {
  const name = form.name.trim();
  return { token, password: form.password, ...(form.kind === 'new' && name !== '' ? { name } : {}) };
}

export type AcceptOutcome = {
  /** Shown at the top, in an alert. */
  message: string;
  /** Shown under the password field instead, when it is about the password. */
  passwordMessage?: string;
  /** Switch the form to the other kind of account. */
  switchTo?: AccountKind;
  /** The invitation cannot be used any more: hide the form. */
  final?: boolean;
  /** Offer the sign-in page. */
  offerSignIn?: boolean;
};

/** What to tell the person after the API refused, from its status and answer. */
export function acceptOutcome(kind: AccountKind, status: number | undefined, detail: { message?: string; fields?: Record<string, string[]> } | undefined): AcceptOutcome {
  const message = detail?.message ?? '';
  const fields = detail?.fields ?? {};
  if (status === undefined) return { message: 'Sluice could not be reached. Check your network connection, then try again.' };
  if (status === 401) {
    // The email already has an account: it must prove it is theirs.
    if (kind === 'new')
      return {
        message: 'The email this invitation was sent to already has a Sluice account, so it keeps its password. Enter that account’s current password below to join.',
        switchTo: 'existing',
      };
    return { message: 'That password is not right for this account.', passwordMessage: 'This is not the account’s current password. Check it and try again. If you have forgotten it, ask the person who invited you for help.' };
  }
  if (status === 400 && fields.token) return { message: 'This invitation link is not valid. Check that you copied all of it, or ask the person who invited you for a new one.', final: true };
  if (status === 400 && fields.password) {
    // "Existing" chosen, but the email has no account yet: it needs a new password.
    if (kind === 'existing')
      return { message: 'There is no Sluice account for this invitation’s email yet, so you need to choose a new password. Choose “I am new to Sluice” and set one.', switchTo: 'new' };
    return { message: 'Choose a longer password.', passwordMessage: `Use at least ${MIN_PASSWORD_LENGTH} characters.` };
  }
  if (status === 400 && fields.name) return { message: `Your name ${fields.name.join('; ')}.` };
  if (status === 410) return { message: message || 'This invitation can no longer be used. Ask the person who invited you for a new one.', final: true, offerSignIn: /already been used/i.test(message) };
  if (status === 409) {
    if (/a moment ago/i.test(message)) return { message: 'An account for this email was created a moment ago. Choose “I already have a Sluice account” and enter its password.', switchTo: 'existing' };
    return { message: 'You are already a member of this organisation. Sign in instead.', final: true, offerSignIn: true };
  }
  // The server says how long to wait ("Wait 15 minute(s) and try again").
  if (status === 429) return { message: message || 'Too many attempts for this account. Wait a few minutes, then try again.' };
  if (status === 503) return { message: message || 'Joining is briefly unavailable. Try again in a minute.' };
  return { message: message ? `${message}` : `Something went wrong (error ${status}). Try again in a moment.` };
}
