import * as Tabs from '@radix-ui/react-tabs';
import { useState } from 'react';
import { canChange, useSession } from '../session.js';
import { card, focusRing } from '../ui/styles.js';
import { AuditTab } from './AuditTab.js';
import { MembersTab } from './MembersTab.js';
import { TokensTab } from './TokensTab.js';

const sections = [
  { value: 'members', label: 'Members' },
  { value: 'tokens', label: 'API tokens' },
  { value: 'audit', label: 'Audit log' },
] as const;
type Section = (typeof sections)[number]['value'];

const tab = `-mb-px rounded-t border border-transparent px-4 py-2 font-medium text-slate-800 hover:bg-slate-100 data-[state=active]:border-slate-300 data-[state=active]:border-b-white data-[state=active]:bg-white data-[state=active]:text-blue-900 ${focusRing}`;

/**
 * Settings for owners and admins: members and invitations, API tokens, and the audit log.
 * Every tab stays mounted (hidden when not chosen), so a token or invitation link shown once
 * is still there after a look at another tab.
 */
export function SettingsPage() {
  const session = useSession();
  const [section, setSection] = useState<Section>('members');
  if (session === undefined) return <p className="text-slate-900">Loading…</p>;
  if (!session || !canChange(session)) {
    return (
      <section aria-labelledby="settings-title">
        <h1 id="settings-title" className="mb-4 text-2xl font-semibold text-slate-900">Settings</h1>
        <div className={card}>
          <p className="text-slate-900">Only owners and admins can change settings. Ask an owner of your organisation if something here needs changing.</p>
        </div>
      </section>
    );
  }
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title" className="mb-4 text-2xl font-semibold text-slate-900">Settings</h1>
      <Tabs.Root value={section} onValueChange={(v) => setSection(v as Section)}>
        <Tabs.List aria-label="Settings sections" className="flex flex-wrap gap-1 border-b border-slate-300">
          {sections.map((s) => (
            <Tabs.Trigger key={s.value} value={s.value} className={tab}>
              {s.label}
            </Tabs.Trigger>
          ))}
        </Tabs.List>
        <Tabs.Content value="members" forceMount className={`pt-6 data-[state=inactive]:hidden ${focusRing}`}>
          <MembersTab session={session} />
        </Tabs.Content>
        <Tabs.Content value="tokens" forceMount className={`pt-6 data-[state=inactive]:hidden ${focusRing}`}>
          <TokensTab session={session} />
        </Tabs.Content>
        <Tabs.Content value="audit" forceMount className={`pt-6 data-[state=inactive]:hidden ${focusRing}`}>
          <AuditTab />
        </Tabs.Content>
      </Tabs.Root>
    </section>
  );
}
