import { ConfigurationError } from '../errors.js';
import { buildImage, DEFAULT_BASE_IMAGE, type BuildImageOptions, type BuildImageResult } from '../image/build.js';
import { escapeMarkdown, table } from '../report/markdown.js';
import { readBoolean, readList, readRequired, readString, type InputReader } from '../runtime/inputs.js';
import { withDefaults, type Stage } from '../runtime/stage.js';

const defaults = {
  'base-image': DEFAULT_BASE_IMAGE,
  push: 'true',
  'smoke-test': 'true',
  output: 'mlops-artifacts',
  upload: 'false',
} as const;

function parseLabels(lines: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const line of lines) {
    const at = line.indexOf('=');
    if (at <= 0) throw new ConfigurationError(`'${line}' is not a label; write key=value, one per line.`, { input: 'labels' });
    labels[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return labels;
}

function parseInputs(raw: InputReader): BuildImageOptions {
  const read = withDefaults(raw, defaults);
  const options: BuildImageOptions = {
    model: readRequired(read, 'model', "the Model artifact from train-model (its 'model' output), or artifact:<name>."),
    image: readRequired(read, 'image', 'the image repository to build and push, e.g. ghcr.io/acme/digits.'),
    tags: readList(read, 'tags'),
    baseImage: readString(read, 'base-image', DEFAULT_BASE_IMAGE),
    registry: readString(read, 'registry'),
    username: readString(read, 'username'),
    password: read('password').trim(),
    push: readBoolean(read, 'push', true),
    labels: parseLabels(read('labels').split('\n').map((s) => s.trim()).filter(Boolean)),
    smokeTest: readBoolean(read, 'smoke-test', true),
    dataset: readString(read, 'dataset'),
    dockerHost: readString(read, 'docker-host'),
    output: readString(read, 'output', defaults.output),
    name: readString(read, 'name'),
    upload: readBoolean(read, 'upload', false),
  };
  if (options.username && !options.password) throw new ConfigurationError(`is empty while username is '${options.username}'; pass the registry password or token from a secret.`, { input: 'password' });
  return options;
}

function summary(r: BuildImageResult): string {
  const s = r.artifact.spec;
  return [
    `### Image \`${escapeMarkdown(s.repository)}\``,
    '',
    table(
      ['', ''],
      [
        ['image', `\`${r.image}\``],
        ['digest', r.digest ? `\`${r.digest}\`` : 'not pushed'],
        ['tags', r.tags.map((t) => `\`${t}\``).join(' ')],
        ['size', `${(r.size / 1e6).toFixed(1)} MB, ${r.layers.length} layers`],
        ['model', `${escapeMarkdown(s.model.name)} \`${s.model.digest.slice(0, 19)}…\``],
        ['smoke test', r.smoke ? `passed: ${escapeMarkdown(r.smoke.source)}, max difference ${r.smoke.maxAbsDiff.toExponential(2)}` : 'skipped'],
      ],
    ),
    '',
  ].join('\n');
}

/** build-image: a Model artifact to a small, smoke-tested serving image in a registry. */
export const buildImageStage: Stage<BuildImageOptions, BuildImageResult> = {
  name: 'build-image',
  inputs: ['model', 'image', 'tags', 'base-image', 'registry', 'username', 'password', 'push', 'labels', 'smoke-test', 'dataset', 'docker-host', 'output', 'name', 'upload'],
  defaults,
  secretInputs: ['password'],
  parseInputs,
  execute: buildImage,
  outputs: (r) => ({
    image: r.image,
    digest: r.digest,
    tags: r.tags.join(','),
    size: String(r.size),
    'container-image': r.path,
    ...(r.uploaded ? { 'artifact-ref': r.uploaded } : {}),
  }),
  summary,
};
