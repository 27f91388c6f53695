import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pack } from 'tar-stream';

/** Fixed file times in the build context, so identical content gives identical layers. */
const EPOCH = new Date('2000-01-01T00:00:00Z');

/** The suite's bundled lib/ directory (holding serve.js, chunks/ and wasm/). */
export function findLibDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'serve.js')) && existsSync(join(dir, 'wasm'))) return dir;
    if (existsSync(join(dir, 'lib', 'serve.js'))) return join(dir, 'lib');
    dir = dirname(dir);
  }
  throw new Error('the bundled model server (lib/serve.js) was not found next to this action; run npm run build');
}

/** lib/serve.js and every chunk it imports (transitively), plus the wasm binaries: the server runtime. */
export async function serverRuntimeFiles(libDir: string): Promise<string[]> {
  const seen = new Set<string>();
  const visit = async (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = await readFile(join(libDir, file), 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*["'](\.\.?\/[^"']+\.js)["']/g)) {
      await visit(posix.normalize(posix.join(posix.dirname(file), m[1])));
    }
  };
  await visit('serve.js');
  const wasm = (await readdir(join(libDir, 'wasm'))).filter((f) => f.endsWith('.wasm')).map((f) => `wasm/${f}`);
  return [...seen, ...wasm].sort();
}

export interface ContextFile {
  path: string;
  content: Buffer | string;
  mode?: number;
}

/** Files of a directory tree (for the model artifact), paths relative to it. */
export async function directoryFiles(root: string, prefix: string): Promise<ContextFile[]> {
  const out: ContextFile[] = [];
  const walk = async (dir: string) => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) out.push({ path: `${prefix}/${relative(root, path).split(sep).join('/')}`, content: await readFile(path) });
    }
  };
  await walk(root);
  return out;
}

/** A tar stream of the build context, generated in memory with fixed owners, modes and times. */
export function contextTar(files: ContextFile[]): NodeJS.ReadableStream {
  const tar = pack();
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : 1));
  (async () => {
    for (const file of sorted) {
      const content = typeof file.content === 'string' ? Buffer.from(file.content) : file.content;
      await new Promise<void>((done, fail) =>
        tar.entry({ name: file.path, size: content.length, mode: file.mode ?? 0o644, mtime: EPOCH, uid: 0, gid: 0, uname: 'root', gname: 'root' }, content, (error) => (error ? fail(error) : done())),
      );
    }
    tar.finalize();
  })().catch((error) => tar.destroy(error));
  return tar as unknown as NodeJS.ReadableStream;
}
