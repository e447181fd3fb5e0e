import { existsSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../meltano/project.js';

/**
 * Our machines have no Docker engine, so the image is checked from its files: the build
 * compiles what production runs (no TypeScript loader at runtime, target-clickhouse's
 * measured compiled path), and the runtime stage's `npm ci --omit=dev` installs every package
 * that code imports and nothing else (tsx, react, react-dom belong to the build).
 */
const read = (file: string) => readFileSync(path.join(projectRoot, file), 'utf8');
const dockerfile = read('Dockerfile').replace(/\\\n/g, ' ');
const stages = dockerfile.split(/^FROM /m).slice(1);
const runtime = stages.at(-1)!;
const build = stages.find((s) => /AS node-build/.test(s))!;
const deps = stages.find((s) => /AS node-deps/.test(s))!;
const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
const buildConfig = JSON.parse(read('tsconfig.build.json')) as { files: string[] };

/** `node x.js` commands the image and docker-compose run, as the .ts each one is compiled from. */
const commands = [
  JSON.parse(/^CMD (\[.*\])$/m.exec(runtime)![1]!) as string[],
  ...[...read('docker-compose.yml').matchAll(/command: (\["node".*\])/g)].map((m) => JSON.parse(m[1]!) as string[]),
];

/** Packages a module and everything it imports at runtime (`import type` is erased) load. */
function runtimePackages(entries: string[]): { packages: Set<string>; files: Set<string> } {
  const packages = new Set<string>();
  const files = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    if (!file.endsWith('.ts')) return;
    const source = read(file);
    const specifiers = [
      ...[...source.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^'";]*?\sfrom\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!),
      ...[...source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!),
      ...[...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!),
    ];
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) {
        const target = path.join(path.dirname(file), specifier);
        const ts = target.replace(/\.js$/, '.ts');
        visit(existsSync(path.join(projectRoot, ts)) ? ts : target);
      } else if (!isBuiltin(specifier)) {
        packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
      }
    }
  };
  entries.forEach(visit);
  return { packages, files };
}

describe('Dockerfile', () => {
  it('compiles the API, the worker, the operator commands and target-clickhouse after copying the sources', () => {
    const afterCopy = build.slice(build.indexOf('COPY . .'));
    expect(build).toMatch(/COPY \. \./);
    expect(afterCopy).toMatch(/npx tsc -p tsconfig\.build\.json/);
    // as scripts/setup.sh does: its bin script runs dist/main.js when it is there and fresh
    expect(afterCopy).toMatch(/npx tsc -p meltano\/target-clickhouse\/tsconfig\.build\.json/);
    expect(read('scripts/setup.sh')).toMatch(/npx tsc -p meltano\/target-clickhouse\/tsconfig\.build\.json/);
    expect(read('meltano/target-clickhouse/bin/target-clickhouse')).toMatch(/exec node (\$node_flags )?"\$here\/dist\/main\.js"/);
    expect(afterCopy).toMatch(/npx tsc -p meltano\/tap-sluice-postgres\/tsconfig\.build\.json/);
    expect(read('scripts/setup.sh')).toMatch(/npx tsc -p meltano\/tap-sluice-postgres\/tsconfig\.build\.json/);
    expect(read('meltano/tap-sluice-postgres/bin/tap-sluice-postgres')).toMatch(/exec node "\$here\/dist\/main\.js"/);
  });

  it("ships target-clickhouse's compiled code and bin script, and not its TypeScript", () => {
    expect(runtime).toMatch(/COPY --from=node-build .*\/app\/meltano\/target-clickhouse\/dist \.\/meltano\/target-clickhouse\/dist/);
    expect(runtime).toMatch(/COPY --from=node-build .*\/app\/meltano\/target-clickhouse\/bin /);
    // with no .ts beside it, the bin script never falls back to tsx (which the image lacks)
    expect(runtime).not.toMatch(/COPY --from=node-build \S*( --chown=\S+)? \/app\/meltano\/target-clickhouse\/? /);
    expect(runtime).not.toMatch(/COPY --from=node-build( --chown=\S+)? \/app \/app/);
  });

  it('runs compiled entry points with plain node, never through tsx', () => {
    expect(commands.length).toBeGreaterThanOrEqual(3);
    for (const command of commands) {
      expect(command.join(' ')).not.toMatch(/tsx|\.ts\b/);
      expect(command[0]).toBe('node');
      expect(buildConfig.files).toContain(command.at(-1)!.replace(/\.js$/, '.ts'));
    }
    expect(runtime).toMatch(/COPY --from=node-build .*\/app\/dist\/ \.\//);
  });

  it('installs runtime dependencies with npm ci --omit=dev from the lockfile', () => {
    expect(deps).toMatch(/npm ci --omit=dev/);
    expect(runtime).toMatch(/COPY --from=node-deps .*\/app\/node_modules \.\/node_modules/);
    // what the compiled code finds beside itself: package.json ("type": "module"), migrations, meltano.yml, the web app
    for (const file of ['package.json', 'meltano.yml', 'db/migrations', 'web/dist']) expect(runtime).toContain(`/app/${file}`);
  });
});

describe('package.json dependencies', () => {
  const entries = [...buildConfig.files, 'meltano/target-clickhouse/main.ts', 'meltano/tap-sluice-postgres/main.ts'];
  const { packages, files } = runtimePackages(entries);

  it('holds exactly the packages the API, the worker, the operator commands and target-clickhouse import', () => {
    expect(files.size).toBeGreaterThan(50);
    expect([...packages].sort()).toEqual(Object.keys(pkg.dependencies).sort());
  });

  it('keeps build and test tools out of the runtime', () => {
    for (const name of ['tsx', 'react', 'react-dom', 'typescript', 'vite', 'vitest']) {
      expect(pkg.dependencies).not.toHaveProperty(name);
      expect(pkg.devDependencies).toHaveProperty(name);
    }
  });
});
