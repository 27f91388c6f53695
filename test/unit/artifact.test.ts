import { mkdtemp, readdir, readFile, truncate, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, test } from 'vitest';
import { artifactDigest, canonicalJson } from '../../shared/src/artifact/digest.js';
import { readArtifact, writeArtifact } from '../../shared/src/artifact/store.js';
import { ConfigurationError } from '../../shared/src/errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlops-artifact-'));
});

const header = (createdAt = new Date('2026-01-01T00:00:00Z'), sha = 'abc') => ({
  kind: 'Deployment' as const,
  name: 'm',
  inputs: [{ kind: 'Dataset' as const, name: 'd', digest: `sha256:${'1'.repeat(64)}` }],
  producer: { action: 'test', version: '0', via: 'library' as const, sha },
  createdAt,
});

async function writeExample(target: string, content = 'weights', h = header()) {
  return writeArtifact(target, h, async (d) => {
    await writeFile(join(d, 'weights.bin'), content);
    return { cluster: 'https://127.0.0.1:6443', namespace: 'ns', name: 'm', image: 'r/m@sha256:00', strategy: 'rolling' as const, action: 'deploy' as const, url: 'http://m', annotations: {} };
  });
}

describe('artifacts', () => {
  test('round trip: manifest fields, file hashes, lineage', async () => {
    const written = await writeExample(join(dir, 'a'));
    const read = await readArtifact(join(dir, 'a'), { kind: 'Deployment' });
    expect(read.manifest).toEqual(written);
    expect(written.files).toEqual([{ path: 'weights.bin', bytes: 7, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(written.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(written.inputs[0].name).toBe('d');
  });

  test('digest depends on content only, not time, runner or name', async () => {
    const a = await writeExample(join(dir, 'a'));
    const b = await writeExample(join(dir, 'b'), 'weights', { ...header(new Date('2030-05-05T00:00:00Z'), 'other-sha'), name: 'n' });
    const c = await writeExample(join(dir, 'c'), 'weightz');
    expect(b.digest).toBe(a.digest);
    expect(c.digest).not.toBe(a.digest);
  });

  test('canonical JSON ignores key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 1, x: 2 }], c: 2 } })).toBe('{"a":{"c":2,"d":[1,{"x":2,"y":1}]},"b":1}');
    expect(artifactDigest({ kind: 'K', spec: { a: 1, b: 2 }, files: [], inputs: [] })).toBe(
      artifactDigest({ kind: 'K', spec: { b: 2, a: 1 }, files: [], inputs: [] }),
    );
  });

  test.each([
    ['an edited file', (p: string) => writeFile(p, 'weighTs'), /file 'weights.bin' of Deployment 'm' has sha256 .* it was modified/],
    ['a truncated file', (p: string) => truncate(p, 3), /file 'weights.bin' of Deployment 'm' is 3 bytes, but the artifact recorded 7: it was truncated/],
    ['a grown file', (p: string) => appendFile(p, 'x'), /is 8 bytes, but the artifact recorded 7/],
  ])('%s is detected, naming the file', async (_what, tamper, message) => {
    await writeExample(join(dir, 'a'));
    await tamper(join(dir, 'a', 'weights.bin'));
    const error = await readArtifact(join(dir, 'a'), { input: 'model' }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(/^Input 'model': /);
    expect(error.message).toMatch(message);
  });

  test('an edited spec no longer matches the digest', async () => {
    await writeExample(join(dir, 'a'));
    const path = join(dir, 'a', 'artifact.json');
    const manifest = JSON.parse(await readFile(path, 'utf8'));
    manifest.spec.name = 'other';
    await writeFile(path, JSON.stringify(manifest));
    await expect(readArtifact(join(dir, 'a'))).rejects.toThrow(/has been edited: its artifact.json records digest sha256:/);
  });

  test('a missing file, a wrong kind, a non-artifact directory and a missing path are clear errors', async () => {
    await writeExample(join(dir, 'a'));
    await expect(readArtifact(join(dir, 'a'), { kind: 'Dataset' })).rejects.toThrow(/is a Deployment artifact, but a Dataset is needed here/);
    await expect(readArtifact(dir)).rejects.toThrow(/is not an mlops artifact: it has no artifact.json/);
    await expect(readArtifact(join(dir, 'nope'))).rejects.toThrow(/does not exist/);
    const { rm } = await import('node:fs/promises');
    await rm(join(dir, 'a', 'weights.bin'));
    await expect(readArtifact(join(dir, 'a'))).rejects.toThrow(/file 'weights.bin' of Deployment 'm' is missing/);
  });

  test('a failing write leaves nothing behind and keeps the previous artifact', async () => {
    const first = await writeExample(join(dir, 'a'));
    const failing = writeArtifact(join(dir, 'a'), header(), async (d) => {
      await writeFile(join(d, 'weights.bin'), 'half');
      throw new Error('crashed while writing');
    });
    await expect(failing).rejects.toThrow('crashed while writing');
    expect(await readdir(dir)).toEqual(['a']);
    expect((await readArtifact(join(dir, 'a'))).manifest.digest).toBe(first.digest);

    await expect(writeArtifact(join(dir, 'b'), header(), async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await readdir(dir)).toEqual(['a']);
  });

  test('a spec the schema rejects is a bug, and nothing is written', async () => {
    const bad = writeArtifact(join(dir, 'x'), { ...header(), name: 'bad name!' }, async () => ({}) as never);
    await expect(bad).rejects.toThrow(/internal error: .* does not match its schema/);
    expect(await readdir(dir)).toEqual([]);
  });
});
