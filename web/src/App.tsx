import { useQueryClient } from '@tanstack/react-query';
import { useLocation } from 'wouter';
import { AcceptInvitation } from './invitations/AcceptInvitation.js';
import { invitationTokenFromHash } from './invitations/accept.js';
import { Shell } from './shell/Shell.js';
import { SignIn } from './SignIn.js';
import { useSession } from './session.js';

export function App() {
  const session = useSession();
  const client = useQueryClient();
  const [location] = useLocation();
  // An invitee is usually signed out: the invitation page comes before any session check.
  if (location === '/accept-invitation')
    return (
      <main className="mx-auto max-w-lg p-6">
        <AcceptInvitation token={invitationTokenFromHash(window.location.hash)} />
      </main>
    );
  if (session === undefined) return <p className="p-6">Loading…</p>;
  if (session === null)
    return (
      <main className="mx-auto max-w-md p-6">
        <h1 className="mb-4 text-2xl font-semibold">Sluice</h1>
        <SignIn onSignedIn={() => void client.invalidateQueries({ queryKey: ['session'] })} />
      </main>
    );
  // Another workspace is another app: every page starts afresh, nothing kept from the last one.
  return <Shell key={session.tenant.slug} session={session} />;
}
