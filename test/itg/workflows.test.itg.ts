import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { repoRoot, requireComponent } from '../helpers/run-action.js';

const actionlint = [process.env.MLOPS_GO_BIN, ...(process.env.PATH ?? '').split(delimiter)]
  .filter(Boolean)
  .map((dir) => join(dir!, 'actionlint'))
  .find((p) => existsSync(p));

const USES = /[A-Za-z0-9_.-]+\/mlops-actions\/actions\/([a-z-]+)@v1/g;

/** A scratch repository holding the actions and the given workflows, users' references rewritten to ./actions/<name>. */
function scratchRepo(workflows: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-actionlint-'));
  mkdirSync(join(dir, '.github/workflows'), { recursive: true });
  cpSync(join(repoRoot, 'actions'), join(dir, 'actions'), { recursive: true, filter: (p) => !p.includes('/src') });
  cpSync(join(repoRoot, '.github/actionlint.yaml'), join(dir, '.github/actionlint.yaml'));
  for (const [name, text] of Object.entries(workflows)) writeFileSync(join(dir, '.github/workflows', name), text.replace(USES, './actions/$1'));
  spawnSync('git', ['init', '-q', dir]);
  return dir;
}

function lint(dir: string) {
  const r = spawnSync(actionlint!, ['-no-color'], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

const workflowFiles = [
  ...readdirSync(join(repoRoot, 'examples/workflows')).map((f) => join('examples/workflows', f)),
  ...readdirSync(join(repoRoot, '.github/workflows')).map((f) => join('.github/workflows', f)),
].filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'));

describe('workflow files pass actionlint (inputs and outputs checked against action.yml)', () => {
  const present = requireComponent(Boolean(actionlint), 'actionlint', 'bash scripts/setup.sh builds it from the Go module proxy');

  test.runIf(present).each(workflowFiles)('%s', (file) => {
    const text = readFileSync(join(repoRoot, file), 'utf8');
    if (file.startsWith('examples/')) expect(text).toMatch(USES); // written as users write them
    const result = lint(scratchRepo({ [file.replace(/\//g, '_')]: text }));
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  test.runIf(present)('a misspelt input and an undeclared output are caught', () => {
    const text = readFileSync(join(repoRoot, 'examples/workflows/pull-request.yml'), 'utf8')
      .replace('normalize: scale:16', 'normalise: scale:16')
      .replace('steps.data.outputs.artifact-ref', 'steps.data.outputs.dataset-ref');
    const result = lint(scratchRepo({ 'pr.yml': text }));
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/input "normalise" is not defined in action "mlops: preprocess-data"/);
    expect(result.output).toMatch(/property "dataset-ref" is not defined/);
  });
});
