// Installs plugins of meltano.yml on this machine the way a worker does on a plugin's first use
// (meltano/plugin-install.ts: same venvs, markers and lock). `install-plugins.ts tap-a tap-b`
// installs those (setup: the plugins the tests run), `--all` every one (a container image).
// A plugin already installed at its pip_url takes no time.
import { ensurePluginInstalled } from '../meltano/plugin-install.js';
import { readPluginDefinitions } from '../meltano/plugins.js';

const args = process.argv.slice(2);
const definitions = await readPluginDefinitions();
const names = args.includes('--all') ? definitions.map((d) => d.name) : args.filter((arg) => !arg.startsWith('-'));
const unknown = names.filter((name) => !definitions.some((d) => d.name === name));
if (unknown.length > 0) {
  process.stderr.write(`install-plugins: not in meltano.yml: ${unknown.join(', ')}\n`);
  process.exit(2);
}
for (const name of names) {
  const d = definitions.find((definition) => definition.name === name)!;
  const ready = await ensurePluginInstalled(
    { name: d.name, kind: d.kind, executable: d.executable, pipUrl: d.pip_url, label: d.label },
    // uv's per-package lines (" + attrs==…") only make setup's output long: the rest is shown.
    { onLine: (line, level) => (level !== 'info' || !/^ [+-] /.test(line) ? void process.stdout.write(`  ${line}\n`) : undefined) },
  );
  if (!ready.ok) {
    process.stderr.write(`${ready.message}\n`);
    process.exit(1);
  }
}
