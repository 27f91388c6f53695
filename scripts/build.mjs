#!/usr/bin/env node
// Builds everything generated from source, or with --check verifies that what is committed
// is current: the action bundles (actions/*/dist, with shared chunks under lib/), the CLI
// bundle (lib/cli.js), the JSON Schemas (shared/schemas/) and action-catalog.md.
import { build } from 'esbuild';
import { mkdir, readdir, readFile, rm, writeFile, mkdtemp } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderCatalog } from './catalog.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');

async function actionNames() {
  const entries = await readdir(join(root, 'actions'), { withFileTypes: true });
  return entries.filter((e) => e.isDirectory() && existsSync(join(root, 'actions', e.name, 'src/index.ts'))).map((e) => e.name).sort();
}

/** Bundles every action and the CLI in one esbuild run, so they share chunks under lib/. */
async function bundle() {
  const entryPoints = { 'lib/cli': join(root, 'shared/src/cli/index.ts'), 'lib/serve': join(root, 'shared/src/serve/index.ts') };
  for (const name of await actionNames()) entryPoints[`actions/${name}/dist/index`] = join(root, 'actions', name, 'src/index.ts');
  const result = await build({
    entryPoints,
    outdir: root,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    chunkNames: 'lib/chunks/[name]-[hash]',
    write: false,
    // Lean committed bundles: minified, but function and class names kept for stack traces.
    minify: true,
    keepNames: true,
    legalComments: 'none',
    logLevel: 'warning',
    // tfjs-core loads node-fetch only when there is no global fetch; Node 24 has one.
    // ssh2 (under dockerode, for ssh:// hosts only) loads optional native addons inside try/catch.
    external: ['node-fetch', '*.node', 'cpu-features'],
    // CommonJS dependencies call require(); the wasm glue reads __dirname. Give ESM output both.
    banner: {
      js: [
        "import { createRequire as __mlopsCreateRequire } from 'node:module';",
        "import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';",
        "import { dirname as __mlopsDirname } from 'node:path';",
        'const require = __mlopsCreateRequire(import.meta.url);',
        'const __filename = __mlopsFileURLToPath(import.meta.url);',
        'const __dirname = __mlopsDirname(__filename);',
      ].join('\n'),
    },
  });
  const files = result.outputFiles.map((f) => ({ path: relative(root, f.path), text: f.text }));
  // The WebAssembly backend's binaries, once for every action (lib/wasm, beside lib/chunks).
  for (const wasm of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) {
    files.push({ path: `lib/wasm/${wasm}`, bytes: await readFile(join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist', wasm)) });
  }
  return files;
}

/** JSON Schema per artifact kind, from the zod schemas (the single source of truth). */
async function schemas() {
  const tmp = await mkdtemp(join(tmpdir(), 'mlops-schemas-'));
  try {
    const out = join(tmp, 'schema.mjs');
    await build({ entryPoints: [join(root, 'shared/src/artifact/schema.ts')], outfile: out, bundle: true, format: 'esm', platform: 'node', logLevel: 'warning' });
    const mod = await import(pathToFileURL(out).href);
    const { z } = await import('zod');
    return mod.ARTIFACT_KINDS.map((kind) => {
      const schema = z.toJSONSchema(mod.manifestSchemas[kind], { target: 'draft-2020-12', unrepresentable: 'any' });
      schema.$id = `https://mlops-actions.dev/schemas/${kind}.schema.json`;
      schema.title = `${kind} (${mod.API_VERSION})`;
      return { path: `shared/schemas/${kind}.schema.json`, text: `${JSON.stringify(schema, null, 2)}\n` };
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function generated() {
  const files = [...(await bundle()), ...(await schemas())];
  files.push({ path: 'action-catalog.md', text: await renderCatalog(root) });
  return files;
}

/** Files now on disk in the generated places (to find leftovers). */
async function existingGenerated() {
  const found = [];
  const walk = async (dir) => {
    if (!existsSync(join(root, dir))) return;
    for (const e of await readdir(join(root, dir), { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else found.push(p);
    }
  };
  await walk('lib');
  await walk('shared/schemas');
  for (const name of await readdir(join(root, 'actions'))) await walk(join('actions', name, 'dist'));
  return found;
}

const files = await generated();
if (check) {
  const problems = [];
  for (const f of files) {
    const current = existsSync(join(root, f.path)) ? await readFile(join(root, f.path)) : null;
    if (current === null) problems.push(`missing: ${f.path}`);
    else if (!current.equals(f.bytes ?? Buffer.from(f.text))) problems.push(`stale: ${f.path}`);
  }
  const expected = new Set(files.map((f) => f.path));
  for (const p of await existingGenerated()) if (!expected.has(p)) problems.push(`left over: ${p}`);
  if (problems.length) {
    console.error(`Generated files are out of date with the source:\n  ${problems.join('\n  ')}\nRun 'npm run build' and commit the result.`);
    process.exitCode = 1;
  } else {
    console.log(`Generated files are current (${files.length} files).`);
  }
} else {
  await rm(join(root, 'lib'), { recursive: true, force: true });
  await rm(join(root, 'shared/schemas'), { recursive: true, force: true });
  for (const name of await readdir(join(root, 'actions'))) await rm(join(root, 'actions', name, 'dist'), { recursive: true, force: true });
  for (const f of files) {
    await mkdir(dirname(join(root, f.path)), { recursive: true });
    await writeFile(join(root, f.path), f.bytes ?? f.text);
  }
  const bytes = files.filter((f) => f.path.endsWith('.js')).reduce((n, f) => n + Buffer.byteLength(f.text), 0);
  console.log(`Wrote ${files.length} files (${(bytes / 1024).toFixed(0)} KiB of JavaScript).`);
}
