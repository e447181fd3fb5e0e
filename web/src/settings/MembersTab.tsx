import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState, type FormEvent, type RefObject } from 'react';
import { api } from '../api.js';
import type { Session } from '../session.js';
import { card, focusRing, primaryButton, textField } from '../ui/styles.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { settingsKeys, useInvitations, useMembers } from './queries.js';
import { ShownOnce } from './ShownOnce.js';
import type { InvitationCreated, Member, Role } from './types.js';
import { acceptLink, dateTime, expiresIn, inviteMessage, memberName, problemOf, removeMemberMessage, roleLabel, roleMeaning, rolesUpTo, withdrawInvitationMessage } from './words.js';

const th = 'border-b border-slate-300 px-3 py-2 text-left font-semibold text-slate-900';
const td = 'border-b border-slate-200 px-3 py-2 align-top text-slate-900';

function InviteForm({ onInvited, autoFocus }: { onInvited: (created: InvitationCreated) => void; autoFocus: boolean }) {
  const client = useQueryClient();
  const id = useId();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const invite = useMutation({
    mutationFn: () => api<InvitationCreated>('/members', { method: 'POST', body: JSON.stringify({ email: email.trim(), role }) }),
    onSuccess: (created) => {
      setEmail('');
      onInvited(created);
      void client.invalidateQueries({ queryKey: settingsKeys.invitations });
      void client.invalidateQueries({ queryKey: settingsKeys.audit });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    invite.mutate();
  };
  const error = invite.error ? inviteMessage(problemOf(invite.error)) : null;
  return (
    <form onSubmit={submit} aria-labelledby={`${id}-title`} className={card}>
      <h3 id={`${id}-title`} className="font-semibold text-slate-900">Invite someone</h3>
      <p className="mt-1 text-slate-900">Sluice sends no email: you get a link to hand to them yourself.</p>
      <div className="mt-3 flex flex-wrap items-start gap-3">
        <div className="min-w-64 flex-1">
          <label htmlFor={`${id}-email`} className="mb-1 block font-medium text-slate-900">Their email address</label>
          <input
            id={`${id}-email`}
            type="email"
            autoFocus={autoFocus}
            autoComplete="off"
            required
            className={textField}
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : undefined}
          />
        </div>
        <div>
          <label htmlFor={`${id}-role`} className="mb-1 block font-medium text-slate-900">Role</label>
          <select id={`${id}-role`} className={textField} value={role} onChange={(e) => setRole(e.target.value as Role)} aria-describedby={`${id}-role-meaning`}>
            {rolesUpTo('owner').map((r) => (
              <option key={r} value={r}>{roleLabel[r]}</option>
            ))}
          </select>
        </div>
      </div>
      <p id={`${id}-role-meaning`} className="mt-2 text-sm text-slate-800">{roleLabel[role]}: {roleMeaning[role]}</p>
      {error && <p id={`${id}-error`} role="alert" className="mt-2 font-medium text-red-800">{error}</p>}
      <button type="submit" className={`${primaryButton} mt-3`} disabled={invite.isPending}>
        {invite.isPending ? 'Creating the invitation…' : 'Create invitation link'}
      </button>
    </form>
  );
}

function OpenInvitations() {
  const client = useQueryClient();
  const invitations = useInvitations(true);
  const heading = useRef<HTMLHeadingElement>(null);
  const refresh = () => {
    void client.invalidateQueries({ queryKey: settingsKeys.invitations });
    void client.invalidateQueries({ queryKey: settingsKeys.audit });
  };
  return (
    <div className="mt-6">
      <h3 ref={heading} tabIndex={-1} className={`mb-2 text-lg font-semibold text-slate-900 ${focusRing}`}>Open invitations</h3>
      {invitations.error && <p role="alert" className="text-red-800">The open invitations could not be loaded. {problemOf(invitations.error).message}</p>}
      {!invitations.data && !invitations.error && <p className="text-slate-900">Loading the open invitations…</p>}
      {invitations.data?.length === 0 && <p className="text-slate-900">No invitations are waiting to be accepted.</p>}
      {invitations.data && invitations.data.length > 0 && (
        <div className="overflow-x-auto">
          <table className="w-full border-collapse bg-white">
            <caption className="sr-only">Invitations not yet accepted</caption>
            <thead>
              <tr>
                <th scope="col" className={th}>Email</th>
                <th scope="col" className={th}>Role</th>
                <th scope="col" className={th}>Invited by</th>
                <th scope="col" className={th}>Link</th>
                <th scope="col" className={th}><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {invitations.data.map((i) => (
                <tr key={i.id}>
                  <th scope="row" className={`${td} text-left font-normal`}>{i.email}</th>
                  <td className={td}>{roleLabel[i.role]}</td>
                  <td className={td}>{i.invited_by}<br /><span className="text-sm text-slate-800">{dateTime(i.created_at)}</span></td>
                  <td className={td}>{i.expired ? <span className="font-medium text-red-800">{expiresIn(i.expires_at)}</span> : expiresIn(i.expires_at)}</td>
                  <td className={`${td} text-right`}>
                    <ConfirmDialog
                      triggerText="Withdraw"
                      triggerLabel={`Withdraw the invitation for ${i.email}`}
                      title={`Withdraw the invitation for ${i.email}?`}
                      description={`The link you handed to ${i.email} stops working at once. You can invite them again later; they will need the new link.`}
                      confirmText="Withdraw invitation"
                      busyText="Withdrawing…"
                      keepText="Keep it"
                      action={async () => {
                        await api(`/members/invitations/${i.id}`, { method: 'DELETE' });
                        refresh();
                      }}
                      describeError={(e) => withdrawInvitationMessage(problemOf(e), i.email)}
                      onFailed={refresh}
                      focusAfter={heading}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function RemoveMember({ member, members, focusAfter }: { member: Member; members: Member[]; focusAfter: RefObject<HTMLElement | null> }) {
  const client = useQueryClient();
  const refresh = () => {
    void client.invalidateQueries({ queryKey: settingsKeys.members });
    void client.invalidateQueries({ queryKey: settingsKeys.audit });
  };
  return (
    <ConfirmDialog
      triggerText="Remove"
      triggerLabel={`Remove ${member.email}`}
      title={`Remove ${member.email}?`}
      description={`${member.email} can no longer sign in to this organisation and is signed out at once. Their past changes stay in the audit log. You can invite them again later.`}
      confirmText="Remove member"
      busyText="Removing…"
      keepText="Keep them"
      action={async () => {
        await api(`/members/${member.id}`, { method: 'DELETE' });
        refresh();
      }}
      describeError={(e) => removeMemberMessage(problemOf(e), member, members)}
      onFailed={(e) => {
        if (problemOf(e).status === 404) refresh();
      }}
      focusAfter={focusAfter}
    />
  );
}

/** Who belongs to this organisation; owners also invite, withdraw invitations and remove members. */
export function MembersTab({ session }: { session: Session }) {
  const members = useMembers();
  const isOwner = session.role === 'owner';
  const [invited, setInvited] = useState<InvitationCreated | null>(null);
  const [inviteAgain, setInviteAgain] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const isMe = (m: Member) => m.email === session.actor.label;
  return (
    <div className="space-y-6">
      <div>
        <h2 ref={heading} tabIndex={-1} className={`mb-2 text-xl font-semibold text-slate-900 ${focusRing}`}>Members</h2>
        {!isOwner && <p className="mb-3 text-slate-900">Only owners can invite people, withdraw invitations or remove members. Ask an owner if someone needs to join or leave.</p>}
        {members.error && <p role="alert" className="text-red-800">The members could not be loaded. {problemOf(members.error).message}</p>}
        {!members.data && !members.error && <p className="text-slate-900">Loading the members…</p>}
        {members.data && (
          <div className="overflow-x-auto">
            <table className="w-full border-collapse bg-white">
              <caption className="sr-only">Members of this organisation and their roles</caption>
              <thead>
                <tr>
                  <th scope="col" className={th}>Person</th>
                  <th scope="col" className={th}>Role</th>
                  <th scope="col" className={th}>Member since</th>
                  {isOwner && <th scope="col" className={th}><span className="sr-only">Actions</span></th>}
                </tr>
              </thead>
              <tbody>
                {members.data.map((m) => (
                  <tr key={m.id}>
                    <th scope="row" className={`${td} text-left font-normal`}>
                      {memberName(m)}
                      {isMe(m) && <span className="ml-2 rounded bg-slate-200 px-2 py-0.5 text-sm font-medium text-slate-900">You</span>}
                    </th>
                    <td className={td}>{roleLabel[m.role]}</td>
                    <td className={td}>{dateTime(m.since)}</td>
                    {isOwner && <td className={`${td} text-right`}>{!isMe(m) && <RemoveMember member={m} members={members.data} focusAfter={heading} />}</td>}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>

      {isOwner && (
        <div>
          {invited ? (
            <ShownOnce
              title={`Invitation link for ${invited.email} (${roleLabel[invited.role].toLowerCase()})`}
              fieldLabel="Invitation link"
              value={acceptLink(window.location.origin, invited.accept_path)}
              notice="Hand this link to them; it works once, for 7 days. Sluice shows it only now: copy it before you close this box."
              doneText="Done: invite someone else"
              onDone={() => {
                setInvited(null);
                setInviteAgain(true);
              }}
            />
          ) : (
            <InviteForm onInvited={setInvited} autoFocus={inviteAgain} />
          )}
          <OpenInvitations />
        </div>
      )}
    </div>
  );
}
