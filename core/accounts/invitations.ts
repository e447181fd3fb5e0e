import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { invitations, memberships, tenants, users } from '../../db/schema/index.js';
import type { Acting } from '../acting.js';
import { recordAudit } from '../audit/service.js';
import { AppError } from '../errors.js';
import type { Role } from '../tenants/service.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { findUserByEmail, normalizeEmail, openSession } from './service.js';
import type { SignInLimiter } from './sign-in-limit.js';

/**
 * Joining a tenant is by invitation only. The inviter gets a single-use token (we send no
 * mail, so they pass it on); the invitee accepts with it and either sets their own password
 * (new email) or proves the account is theirs with its current password (known email).
 * Nothing an inviter sees depends on whether the email has an account anywhere.
 */
export const INVITATION_DAYS = 7;
export const MIN_PASSWORD_LENGTH = 12;
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** The path of the web page that accepts; the token rides in the fragment, which browsers never send to a server. */
export const acceptPath = (token: string) => `/accept-invitation#token=${token}`;

export async function createInvitation(db: Db, acting: Acting, input: { email: string; role: Role }) {
  const email = normalizeEmail(input.email);
  const token = `sli_${randomBytes(32).toString('base64url')}`;
  return db.transaction(async (tx) => {
    // Only this tenant's own membership is checked: the caller can list its members anyway.
    const [member] = await tx
      .select({ userId: memberships.userId })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.tenantId, acting.tenantId), eq(users.email, email)));
    if (member) throw new AppError('conflict', `${email} is already a member.`, { email: ['is already a member'] });
    // Inviting again replaces the open invitation: the old token stops working.
    const replaced = await tx
      .update(invitations)
      .set({ revokedAt: new Date() })
      .where(and(eq(invitations.tenantId, acting.tenantId), eq(invitations.email, email), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
      .returning({ id: invitations.id });
    const [row] = await tx
      .insert(invitations)
      .values({ tenantId: acting.tenantId, email, role: input.role, tokenHash: hashToken(token), invitedBy: acting.actor.label, expiresAt: new Date(Date.now() + INVITATION_DAYS * 86_400_000) })
      .returning();
    await recordAudit(tx, {
      tenantId: acting.tenantId,
      actor: acting.actor,
      action: 'invitation.create',
      resourceType: 'invitation',
      resourceId: row!.id,
      changes: { email, role: input.role, expires_at: row!.expiresAt.toISOString(), ...(replaced[0] ? { replaces: replaced[0].id } : {}) },
      requestId: acting.requestId,
    });
    return { invitation: row!, token };
  });
}

/** Open invitations (not accepted, not revoked), newest first; expired ones stay listed until revoked or replaced. */
export const listInvitations = (db: Db, tenantId: string) =>
  db
    .select()
    .from(invitations)
    .where(and(eq(invitations.tenantId, tenantId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
    .orderBy(desc(invitations.createdAt), desc(invitations.id));

export async function revokeInvitation(db: Db, acting: Acting, id: string) {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(invitations)
      .set({ revokedAt: new Date() })
      .where(and(eq(invitations.tenantId, acting.tenantId), eq(invitations.id, id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
      .returning();
    if (!row) throw new AppError('not_found', 'Invitation was not found (or was already accepted or withdrawn).');
    await recordAudit(tx, { tenantId: acting.tenantId, actor: acting.actor, action: 'invitation.revoke', resourceType: 'invitation', resourceId: id, changes: { email: row.email, role: row.role }, requestId: acting.requestId });
  });
}

export function presentInvitation(i: typeof invitations.$inferSelect) {
  return { id: i.id, email: i.email, role: i.role, invited_by: i.invitedBy, created_at: i.createdAt.toISOString(), expires_at: i.expiresAt.toISOString(), expired: i.expiresAt.getTime() <= Date.now() };
}

type OpenInvitation = typeof invitations.$inferSelect;

function assertOpen(invitation: OpenInvitation | undefined): OpenInvitation {
  if (!invitation) throw new AppError('validation_failed', 'This invitation is not valid. Check that you copied all of it, or ask for a new invitation.', { token: ['is not a valid invitation'] });
  if (invitation.acceptedAt) throw new AppError('gone', 'This invitation has already been used. Sign in instead, or ask for a new invitation.');
  if (invitation.revokedAt) throw new AppError('gone', 'This invitation was withdrawn. Ask the person who invited you for a new one.');
  if (invitation.expiresAt.getTime() <= Date.now()) throw new AppError('gone', `This invitation has expired (invitations last ${INVITATION_DAYS} days). Ask the person who invited you for a new one.`);
  return invitation;
}

/**
 * Accepts an invitation: sets the password of a new account, or checks the current password
 * of an existing one (rate-limited like sign-in: the token holder may not be the account's
 * owner), adds the membership, consumes the invitation and opens a session.
 */
export async function acceptInvitation(db: Db, limiter: SignInLimiter, input: { token: string; password: string; name?: string | undefined; address: string }) {
  const invitation = assertOpen(await db.query.invitations.findFirst({ where: eq(invitations.tokenHash, hashToken(input.token)) }));
  await limiter.attempt(invitation.email, input.address);
  const existing = await findUserByEmail(db, invitation.email);
  let newPasswordHash: string | undefined;
  if (existing) {
    if (!(await verifyPassword(input.password, existing.passwordHash))) {
      await limiter.failed(invitation.email);
      throw new AppError('unauthorized', `${invitation.email} already has a Sluice account. Enter that account's current password to accept.`, { password: ["is not this account's current password"] });
    }
    await limiter.succeeded(invitation.email);
  } else {
    if (input.password.length < MIN_PASSWORD_LENGTH) throw new AppError('validation_failed', 'Choose a longer password.', { password: [`must be at least ${MIN_PASSWORD_LENGTH} characters`] });
    newPasswordHash = await hashPassword(input.password);
  }
  return db.transaction(async (tx) => {
    // Lock and look again: two accepts of one token must not both win.
    const [locked] = await tx.select().from(invitations).where(eq(invitations.id, invitation.id)).for('update');
    assertOpen(locked);
    let user = existing;
    if (!user) {
      [user] = await tx
        .insert(users)
        .values({ email: invitation.email, name: input.name ?? invitation.email.split('@')[0]!, passwordHash: newPasswordHash! })
        .onConflictDoNothing()
        .returning();
      if (!user) throw new AppError('conflict', 'An account for this email was created a moment ago. Accept again with its password.');
    }
    const [membership] = await tx.insert(memberships).values({ userId: user.id, tenantId: invitation.tenantId, role: invitation.role }).onConflictDoNothing().returning();
    if (!membership) throw new AppError('conflict', 'You are already a member of this organisation. Sign in instead.');
    await tx.update(invitations).set({ acceptedAt: new Date(), acceptedBy: user.id }).where(eq(invitations.id, invitation.id));
    const actor = { type: 'user' as const, id: user.id, label: user.email };
    const account = existing ? 'existing' : 'created';
    await recordAudit(tx, { tenantId: invitation.tenantId, actor, action: 'invitation.accept', resourceType: 'invitation', resourceId: invitation.id, changes: { email: user.email, role: invitation.role, account } });
    await recordAudit(tx, { tenantId: invitation.tenantId, actor, action: 'member.add', resourceType: 'member', resourceId: user.id, changes: { email: user.email, role: invitation.role, invitation: invitation.id } });
    const [tenant] = await tx.select().from(tenants).where(eq(tenants.id, invitation.tenantId));
    return { ...(await openSession(tx, user.id, invitation.tenantId)), user, tenant: tenant!, role: invitation.role };
  });
}
