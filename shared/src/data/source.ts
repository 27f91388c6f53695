import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { createHash } from 'node:crypto';

/** True when the file starts with the gzip magic bytes (the extension is not trusted). */
export async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** The file's bytes as a stream, gunzipped when it is gzip. */
export async function openSource(path: string): Promise<Readable> {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  return (await isGzip(path)) ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw;
}

/** The whole (gunzipped) file in memory: for binary formats whose size is the output's size. */
export async function readSourceBytes(path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await openSource(path)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Content hash of a source file, or of a directory's regular files in name order
 * (each name and content hashed), with the total byte count.
 */
export async function hashSource(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const files = (await stat(path)).isDirectory()
    ? (await readdir(path, { withFileTypes: true }))
        .filter((e) => e.isFile())
        .map((e) => e.name)
        .sort()
        .map((name) => ({ name, path: join(path, name) }))
    : [{ name: '', path }];
  for (const file of files) {
    hash.update(`${file.name}\0`);
    for await (const chunk of createReadStream(file.path, { highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  }
  return { sha256: hash.digest('hex'), bytes };
}
