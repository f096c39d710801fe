/**
 * The package as a user gets it: `npm pack`, installed from the tarball into a scratch Vite + TypeScript
 * app next to its peer dependencies, type-checked against the published .d.ts, and built.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
/** The consumer's own dependencies, at the versions this repo is tested with (installed from npm's cache). */
const consumerDeps = ['react', 'react-dom', '@apirtc/apirtc', 'vite', '@vitejs/plugin-react', 'typescript', '@types/react', '@types/react-dom', '@types/node'].map(
  (name) => `${name}@${pkg.devDependencies[name]}`,
);
let scratch: string;
let tarball: string;

beforeAll(async () => {
  await mkdir(join(root, 'node_modules/.cache'), { recursive: true });
  scratch = await mkdtemp(join(root, 'node_modules/.cache/pack-'));
  // `npm test` builds dist/ before Vitest runs; on its own, this test builds it if it is missing.
  if (!existsSync(join(root, 'dist/index.js'))) await run('npm', ['run', 'build'], { cwd: root, maxBuffer: 1 << 24 });
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: root, maxBuffer: 1 << 24 });
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(scratch, packed?.filename ?? '');
  const app = join(scratch, 'app');
  await mkdir(join(app, 'src'), { recursive: true });
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await writeFile(join(app, 'index.html'), '<!doctype html><div id="root"></div><script type="module" src="/src/main.tsx"></script>');
  await writeFile(
    join(app, 'src/main.tsx'),
    `import { createRoot } from 'react-dom/client';
import { AuthProvider, useApiRtcSession, type ApiRtcAuthError, type SessionStatus } from 'apirtc-react-auth';

function Status() {
  const status: SessionStatus = useApiRtcSession((s) => s.status);
  const error: ApiRtcAuthError | undefined = useApiRtcSession((s) => s.error);
  return <p>{error ? error.code : status}</p>;
}

createRoot(document.getElementById('root')!).render(
  <AuthProvider auth={{ mode: 'jwt', apiKey: 'key', userId: 'alice', tokenUrl: '/api/apirtc-token' }}>
    <Status />
  </AuthProvider>,
);
`,
  );
  await writeFile(
    join(app, 'src/server.ts'),
    `import { createApiRtcToken, createTokenHandler } from 'apirtc-react-auth/server';
export const token: Promise<string> = createApiRtcToken({ apiKey: 'key', secret: 's', userId: 'alice' });
export const handler = createTokenHandler({ apiKey: 'key', secret: 's', authorize: () => 'alice' });
`,
  );
  await writeFile(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'bundler', jsx: 'react-jsx', strict: true, noEmit: true, skipLibCheck: false, lib: ['ES2022', 'DOM'], types: ['node'] },
      include: ['src'],
    }),
  );
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball, ...consumerDeps], { cwd: app, maxBuffer: 1 << 24 });
}, 300_000);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

it('ships only dist/, the guides, the README, the changelog, the licence and package.json', async () => {
  const { stdout } = await run('tar', ['-tzf', tarball]);
  const files = stdout.trim().split('\n');
  expect(files.every((file) => /^package\/(dist\/|docs\/|README\.md$|CHANGELOG\.md$|package\.json$|LICENSE$)/.test(file))).toBe(true);
  expect(files).toContain('package/dist/index.js');
  expect(files).toContain('package/dist/index.d.ts');
  expect(files).toContain('package/dist/server/index.d.ts');
  expect(files).toContain('package/LICENSE');
});

it("every README link to a guide, the changelog or a picture resolves inside the package (read from node_modules, not the repo)", async () => {
  const { stdout } = await run('tar', ['-tzf', tarball]);
  const files = new Set(stdout.trim().split('\n'));
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const shipped = [...readme.matchAll(/\]\((?!https?:|#)([^)#\s]+)/g)].map((match) => match[1] ?? '').filter((target) => /^(\.\/)?(docs\/|CHANGELOG\.md$)/.test(target));
  expect(shipped.length).toBeGreaterThan(10);
  for (const target of shipped) expect(files, target).toContain(`package/${target.replace(/^\.\//, '')}`);
});

it('type-checks a consumer against the published types', async () => {
  const app = join(scratch, 'app');
  await expect(run(join(app, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: app })).resolves.toBeDefined();
}, 120_000);

it('builds a consumer app with Vite, the SDK in a lazy chunk', async () => {
  const app = join(scratch, 'app');
  await run(join(app, 'node_modules/.bin/vite'), ['build', '--logLevel', 'error'], { cwd: app });
  const assets = await readdir(join(app, 'dist/assets'));
  const scripts = assets.filter((file) => file.endsWith('.js'));
  expect(scripts.length).toBeGreaterThanOrEqual(3); // entry, runner, SDK
  const html = await readFile(join(app, 'dist/index.html'), 'utf8');
  const entry = scripts.find((file) => html.includes(file));
  expect(entry).toBeDefined();
  expect(await readFile(join(app, 'dist/assets', entry as string), 'utf8')).not.toContain('ApiCC_Channel');
}, 120_000);
