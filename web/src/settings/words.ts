/**
 * What the settings pages say about people, roles, tokens and failures, in plain words.
 * Kept apart from the components so the wording is reviewed and tested in one place.
 */
import type { ApiToken, Member, Role } from './types.js';

/** What went wrong with a request, as `api()` throws it: status (none when the server was not reached), message, fields. */
export type Problem = { status: number | undefined; message: string; fields: Record<string, string[]> };

export const UNREACHABLE = 'Sluice could not be reached. Check your network connection, then try again.';

export function problemOf(error: unknown): Problem {
  const e = (error ?? {}) as { status?: unknown; message?: unknown; detail?: { message?: unknown; fields?: unknown } };
  const status = typeof e.status === 'number' ? e.status : undefined;
  const fields = e.detail && typeof e.detail.fields === 'object' && e.detail.fields !== null ? (e.detail.fields as Record<string, string[]>) : {};
  if (status === undefined) return { status, message: UNREACHABLE, fields };
  const message = typeof e.detail?.message === 'string' ? e.detail.message : typeof e.message === 'string' && e.message !== '' ? e.message : `Something went wrong (error ${status}). Try again in a moment.`;
  return { status, message, fields };
}

/** A field's messages as one sentence after its label: "Email must be an email address." */
export const fieldSentence = (label: string, messages: string[] | undefined) => (messages && messages.length > 0 ? `${label} ${messages.join('; ')}.` : undefined);

export const roleRank: Record<Role, number> = { viewer: 0, admin: 1, owner: 2 };

export const roleLabel: Record<Role, string> = { owner: 'Owner', admin: 'Admin', viewer: 'Viewer' };

/** What each role may do, said next to the choice. */
export const roleMeaning: Record<Role, string> = {
  owner: 'Can do everything, including inviting and removing people.',
  admin: 'Can add and change connections, pipelines and API tokens, and read the audit log.',
  viewer: 'Can look at everything but change nothing.',
};

/** Roles someone may hand out: never more than their own. */
export const rolesUpTo = (mine: Role): Role[] => (['viewer', 'admin', 'owner'] as const).filter((r) => roleRank[r] <= roleRank[mine]);

/** "Ann Lee (ann@example.com)", or just the email when the name says nothing more. */
export function memberName(member: Pick<Member, 'name' | 'email'>): string {
  const name = member.name.trim();
  return name === '' || name === member.email || name === member.email.split('@')[0] ? member.email : `${name} (${member.email})`;
}

/** Why a member could not be removed, in words. The API answers 409 both for the last owner and for removing yourself. */
export function removeMemberMessage(problem: Problem, member: Pick<Member, 'id' | 'email' | 'role'>, members: ReadonlyArray<Pick<Member, 'id' | 'role'>>): string {
  if (problem.status === 409) {
    const owners = members.filter((m) => m.role === 'owner');
    if (member.role === 'owner' && owners.length <= 1) {
      return `${member.email} is the only owner, and an organisation always needs at least one owner, so Sluice kept them. Invite someone else as an owner first; once they have accepted, you can remove ${member.email}.`;
    }
    if (/yourself/i.test(problem.message)) return 'You cannot remove yourself. Ask another owner to remove you.';
    return `${problem.message} Reload the page to see the current members.`;
  }
  if (problem.status === 404) return `${member.email} is no longer a member (someone may have removed them already). The list has been refreshed.`;
  if (problem.status === 403) return 'Only owners can remove members. Ask an owner to do it.';
  return `${member.email} could not be removed. ${problem.message}`;
}

/** Why a token could not be revoked: a 403 means its role is above yours. */
export function revokeTokenMessage(problem: Problem, token: Pick<ApiToken, 'name' | 'role'>, mine: Role): string {
  if (problem.status === 403) {
    return `“${token.name}” has the ${roleLabel[token.role].toLowerCase()} role, which is above yours (${roleLabel[mine].toLowerCase()}). Only someone with the ${roleLabel[token.role].toLowerCase()} role can revoke it: ask an owner.`;
  }
  if (problem.status === 404) return `“${token.name}” is already revoked (or was removed). The list has been refreshed.`;
  return `“${token.name}” could not be revoked. ${problem.message}`;
}

export function withdrawInvitationMessage(problem: Problem, email: string): string {
  if (problem.status === 404) return `The invitation for ${email} was already accepted or withdrawn, so there is nothing left to withdraw. The list has been refreshed.`;
  if (problem.status === 403) return 'Only owners can withdraw invitations. Ask an owner to do it.';
  return `The invitation for ${email} could not be withdrawn. ${problem.message}`;
}

export function inviteMessage(problem: Problem): string {
  if (problem.status === 409) return `${problem.message} There is no need to invite them again.`;
  if (problem.status === 403) return 'Only owners can invite people. Ask an owner to send the invitation.';
  if (problem.status === 400) return fieldSentence('The email address', problem.fields.email) ?? fieldSentence('The role', problem.fields.role) ?? problem.message;
  return `The invitation could not be created. ${problem.message}`;
}

export function createTokenMessage(problem: Problem): string {
  if (problem.status === 403) return `${problem.message} Choose a role no higher than your own.`;
  if (problem.status === 400) return fieldSentence('The name', problem.fields.name) ?? fieldSentence('The role', problem.fields.role) ?? problem.message;
  return `The token could not be created. ${problem.message}`;
}

/** The full address of the accept page, from the path the API gave (`/accept-invitation#token=…`). */
export const acceptLink = (origin: string, acceptPath: string) => `${origin.replace(/\/$/, '')}${acceptPath.startsWith('/') ? '' : '/'}${acceptPath}`;

/** "in 6 days", "today", "2 days ago": how long an invitation has left, for its row. */
export function expiresIn(expiresAt: string, now = Date.now()): string {
  const ms = Date.parse(expiresAt) - now;
  if (ms <= 0) return 'Expired: invite them again for a new link';
  const days = Math.floor(ms / 86_400_000);
  if (days === 0) {
    const hours = Math.floor(ms / 3_600_000);
    if (hours === 0) return 'Expires within the hour';
    return `Expires in ${hours} hour${hours === 1 ? '' : 's'}`;
  }
  return `Expires in ${days} day${days === 1 ? '' : 's'}`;
}

export const dateTime = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : 'Never');
