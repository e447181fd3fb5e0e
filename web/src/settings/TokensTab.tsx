import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState, type FormEvent, type RefObject } from 'react';
import { api } from '../api.js';
import type { Session } from '../session.js';
import { card, focusRing, primaryButton, textField } from '../ui/styles.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { settingsKeys, useTokens } from './queries.js';
import { ShownOnce } from './ShownOnce.js';
import type { ApiToken, ApiTokenCreated, Role } from './types.js';
import { createTokenMessage, dateTime, problemOf, revokeTokenMessage, roleLabel, roleMeaning, rolesUpTo } from './words.js';

const th = 'border-b border-slate-300 px-3 py-2 text-left font-semibold text-slate-900';
const td = 'border-b border-slate-200 px-3 py-2 align-top text-slate-900';

function CreateToken({ mine, onCreated, autoFocus }: { mine: Role; onCreated: (created: ApiTokenCreated) => void; autoFocus: boolean }) {
  const client = useQueryClient();
  const id = useId();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const create = useMutation({
    mutationFn: () => api<ApiTokenCreated>('/tokens', { method: 'POST', body: JSON.stringify({ name: name.trim(), role }) }),
    onSuccess: (created) => {
      setName('');
      onCreated(created);
      void client.invalidateQueries({ queryKey: settingsKeys.tokens });
      void client.invalidateQueries({ queryKey: settingsKeys.audit });
    },
  });
  const [missing, setMissing] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() === '') {
      setMissing(true);
      return;
    }
    setMissing(false);
    create.mutate();
  };
  const error = missing ? 'Give the token a name, so you know later what uses it (for example “Nightly report”).' : create.error ? createTokenMessage(problemOf(create.error)) : null;
  return (
    <form onSubmit={submit} noValidate aria-labelledby={`${id}-title`} className={card}>
      <h3 id={`${id}-title`} className="font-semibold text-slate-900">Create an API token</h3>
      <p className="mt-1 text-slate-900">A token lets another program use Sluice on your organisation’s behalf, with the role you choose here.</p>
      <div className="mt-3 flex flex-wrap items-start gap-3">
        <div className="min-w-64 flex-1">
          <label htmlFor={`${id}-name`} className="mb-1 block font-medium text-slate-900">Name</label>
          <input
            id={`${id}-name`}
            type="text"
            autoFocus={autoFocus}
            maxLength={100}
            autoComplete="off"
            className={textField}
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : undefined}
          />
        </div>
        <div>
          <label htmlFor={`${id}-role`} className="mb-1 block font-medium text-slate-900">Role</label>
          <select id={`${id}-role`} className={textField} value={role} onChange={(e) => setRole(e.target.value as Role)} aria-describedby={`${id}-role-meaning`}>
            {rolesUpTo(mine).map((r) => (
              <option key={r} value={r}>{roleLabel[r]}</option>
            ))}
          </select>
        </div>
      </div>
      <p id={`${id}-role-meaning`} className="mt-2 text-sm text-slate-800">
        {roleLabel[role]}: {roleMeaning[role]} {mine !== 'owner' && `You can give a token at most your own role (${roleLabel[mine].toLowerCase()}).`}
      </p>
      {error && <p id={`${id}-error`} role="alert" className="mt-2 font-medium text-red-800">{error}</p>}
      <button type="submit" className={`${primaryButton} mt-3`} disabled={create.isPending}>
        {create.isPending ? 'Creating…' : 'Create token'}
      </button>
    </form>
  );
}

function RevokeToken({ token, mine, focusAfter }: { token: ApiToken; mine: Role; focusAfter: RefObject<HTMLElement | null> }) {
  const client = useQueryClient();
  const refresh = () => {
    void client.invalidateQueries({ queryKey: settingsKeys.tokens });
    void client.invalidateQueries({ queryKey: settingsKeys.audit });
  };
  return (
    <ConfirmDialog
      triggerText="Revoke"
      triggerLabel={`Revoke the token “${token.name}”`}
      title={`Revoke “${token.name}”?`}
      description="Anything that uses this token stops working at once. This cannot be undone: to give access again, create a new token."
      confirmText="Revoke token"
      busyText="Revoking…"
      keepText="Keep it"
      action={async () => {
        await api(`/tokens/${token.id}`, { method: 'DELETE' });
        refresh();
      }}
      describeError={(e) => revokeTokenMessage(problemOf(e), token, mine)}
      onFailed={(e) => {
        if (problemOf(e).status === 404) refresh();
      }}
      focusAfter={focusAfter}
    />
  );
}

/** The organisation's API tokens: create one (shown once), see when each was last used, revoke one. */
export function TokensTab({ session }: { session: Session }) {
  const tokens = useTokens();
  const [created, setCreated] = useState<ApiTokenCreated | null>(null);
  const [createAgain, setCreateAgain] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const active = tokens.data?.filter((t) => !t.revoked_at) ?? [];
  const revoked = tokens.data?.filter((t) => t.revoked_at) ?? [];
  return (
    <div className="space-y-6">
      <h2 ref={heading} tabIndex={-1} className={`text-xl font-semibold text-slate-900 ${focusRing}`}>API tokens</h2>
      {created ? (
        <ShownOnce
          title={`Your new token “${created.name}” (${roleLabel[created.role].toLowerCase()})`}
          fieldLabel="API token"
          value={created.token}
          notice="Copy it now: Sluice will not show it again. Keep it as secret as a password."
          onDone={() => {
            setCreated(null);
            setCreateAgain(true);
          }}
        />
      ) : (
        <CreateToken mine={session.role} onCreated={setCreated} autoFocus={createAgain} />
      )}

      <div>
        {tokens.error && <p role="alert" className="text-red-800">The tokens could not be loaded. {problemOf(tokens.error).message}</p>}
        {!tokens.data && !tokens.error && <p className="text-slate-900">Loading the tokens…</p>}
        {tokens.data && active.length === 0 && <p className="text-slate-900">There are no working tokens. Create one above when a program needs to use Sluice.</p>}
        {active.length > 0 && (
          <div className="overflow-x-auto">
            <table className="w-full border-collapse bg-white">
              <caption className="mb-2 text-left text-lg font-semibold text-slate-900">Working tokens</caption>
              <thead>
                <tr>
                  <th scope="col" className={th}>Name</th>
                  <th scope="col" className={th}>Role</th>
                  <th scope="col" className={th}>Created</th>
                  <th scope="col" className={th}>Last used</th>
                  <th scope="col" className={th}><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {active.map((t) => (
                  <tr key={t.id}>
                    <th scope="row" className={`${td} text-left font-normal`}>{t.name}</th>
                    <td className={td}>{roleLabel[t.role]}</td>
                    <td className={td}>{dateTime(t.created_at)}</td>
                    <td className={td}>{t.last_used_at ? dateTime(t.last_used_at) : 'Not used yet'}</td>
                    <td className={`${td} text-right`}><RevokeToken token={t} mine={session.role} focusAfter={heading} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {revoked.length > 0 && (
          <details className="mt-4">
            <summary className="cursor-pointer font-medium text-slate-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-700 focus-visible:ring-offset-2">Revoked tokens ({revoked.length})</summary>
            <div className="mt-2 overflow-x-auto">
              <table className="w-full border-collapse bg-white">
                <caption className="sr-only">Revoked tokens: they no longer work</caption>
                <thead>
                  <tr>
                    <th scope="col" className={th}>Name</th>
                    <th scope="col" className={th}>Role</th>
                    <th scope="col" className={th}>Created</th>
                    <th scope="col" className={th}>Revoked</th>
                  </tr>
                </thead>
                <tbody>
                  {revoked.map((t) => (
                    <tr key={t.id}>
                      <th scope="row" className={`${td} text-left font-normal`}>{t.name}</th>
                      <td className={td}>{roleLabel[t.role]}</td>
                      <td className={td}>{dateTime(t.created_at)}</td>
                      <td className={td}>{dateTime(t.revoked_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        )}
      </div>
    </div>
  );
}
