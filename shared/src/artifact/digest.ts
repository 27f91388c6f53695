import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** JSON with object keys sorted at every level and no whitespace: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Streams a file through sha256; returns the hex hash and the byte count. */
export async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/**
 * The content digest of an artifact: over its kind, canonical spec, files' hashes and the
 * digests of the artifacts it was made from. Name, producer and time are left out, so the
 * same content gives the same digest on any runner at any time.
 */
export function artifactDigest(parts: {
  kind: string;
  spec: unknown;
  files: readonly { path: string; sha256: string }[];
  inputs: readonly { digest: string }[];
}): string {
  const body = canonicalJson({
    kind: parts.kind,
    spec: parts.spec,
    files: [...parts.files].map((f) => [f.path, f.sha256]).sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    inputs: parts.inputs.map((i) => i.digest).sort(),
  });
  return `sha256:${sha256Hex(body)}`;
}
