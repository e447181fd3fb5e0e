import { useQueryClient } from '@tanstack/react-query';
import { Shell } from './shell/Shell.js';
import { SignIn } from './SignIn.js';
import { useSession } from './session.js';

export function App() {
  const session = useSession();
  const client = useQueryClient();
  if (session === undefined) return <p className="p-6">Loading…</p>;
  if (session === null)
    return (
      <main className="mx-auto max-w-md p-6">
        <h1 className="mb-4 text-2xl font-semibold">Sluice</h1>
        <SignIn onSignedIn={() => void client.invalidateQueries({ queryKey: ['session'] })} />
      </main>
    );
  return <Shell session={session} />;
}
