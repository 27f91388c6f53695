import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** The ::error lines the step printed, without the command prefix. */
  errors: string[];
}

/** Parses $GITHUB_OUTPUT as written by @actions/core (`name<<delimiter` blocks, or name=value). */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i]);
      outputs[name] = value.join('\n');
    } else if (lines[i].includes('=')) {
      const at = lines[i].indexOf('=');
      outputs[lines[i].slice(0, at)] = lines[i].slice(at + 1);
    }
  }
  return outputs;
}

/**
 * Runs a bundled action the way the runner does: `node actions/<name>/dist/index.js` with
 * INPUT_<NAME> variables (upper-cased, hyphens kept, spaces as underscores), GITHUB_OUTPUT
 * and GITHUB_STEP_SUMMARY files.
 */
export async function runAction(
  name: string,
  inputs: Record<string, string | number | boolean>,
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<ActionRun> {
  const dir = await mkdtemp(join(tmpdir(), 'mlops-runner-'));
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary');
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_WORKSPACE: options.cwd ?? dir,
    RUNNER_TEMP: join(dir, 'runner-temp'),
    MLOPS_CACHE_DIR: join(dir, 'cache'),
    ...options.env,
  };
  for (const [key, value] of Object.entries(inputs)) env[`INPUT_${key.replace(/ /g, '_').toUpperCase()}`] = String(value);
  const { code, stdout, stderr } = await runNode([join(repoRoot, 'actions', name, 'dist/index.js')], options.cwd ?? dir, env as NodeJS.ProcessEnv);
  const errors = stdout
    .split('\n')
    .filter((l) => l.startsWith('::error'))
    .map((l) => l.replace(/^::error[^:]*::/, '').replace(/%0A/g, '\n').replace(/%25/g, '%'));
  return { code, stdout, stderr, outputs: parseOutputFile(await readFile(outputFile, 'utf8')), summary: await readFile(summaryFile, 'utf8'), errors };
}

/** Runs the bundled CLI: `node bin/mlops.js <args>`. */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return runNode([join(repoRoot, 'bin/mlops.js'), ...args], options.cwd ?? repoRoot, { ...process.env, ...options.env });
}

/** Runs `node <args>` under the test's Node and collects its output and exit code. */
async function runNode(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code: number = await new Promise((done) => child.on('close', (c) => done(c ?? -1)));
  return { code, stdout, stderr };
}

/** A real component the tests need: missing in CI is a failure, locally a clear skip reason. */
export function requireComponent(present: boolean, what: string, install: string): boolean {
  if (present) return true;
  if (process.env.CI) throw new Error(`${what} is missing, and CI must not skip it: ${install}`);
  return false;
}
