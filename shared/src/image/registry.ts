/**
 * The manifest digest a registry reports for repo:tag (Docker-Content-Digest of a HEAD
 * request, asking for the manifest media types Docker pushes), or '' when it cannot be read.
 */
export async function registryManifestDigest(repository: string, tag: string, auth: { username?: string; password?: string } = {}): Promise<string> {
  const slash = repository.indexOf('/');
  const host = repository.slice(0, slash);
  const name = repository.slice(slash + 1);
  const scheme = /^(localhost|127\.|\[::1\])/.test(host) ? 'http' : 'https';
  const headers: Record<string, string> = {
    accept: [
      'application/vnd.docker.distribution.manifest.v2+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.oci.image.index.v1+json',
    ].join(', '),
  };
  if (auth.username) headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64')}`;
  try {
    const response = await fetch(`${scheme}://${host}/v2/${name}/manifests/${tag}`, { method: 'HEAD', headers });
    return response.ok ? (response.headers.get('docker-content-digest') ?? '') : '';
  } catch {
    return '';
  }
}
