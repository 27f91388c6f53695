import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { ConfigurationError } from '../errors.js';
import type { Logger } from '../logger.js';
import { bundledTf, type Tf } from './tf.js';

export const BACKEND_CHOICES = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
export type BackendName = Exclude<BackendChoice, 'auto'>;
export type BackendFamily = 'tensorflow' | 'wasm' | 'cpu';

export interface LoadedBackend {
  tf: Tf;
  name: BackendName;
  family: BackendFamily;
  /** What the work runs on, e.g. "GPU 0: NVIDIA T4 (15360 MiB)" or "CPU (wasm SIMD, 1 thread)". */
  device: string;
  /** Why each better backend was not taken (auto), in order. */
  skipped: { backend: BackendName; reason: string }[];
}

export const familyOf = (name: BackendName): BackendFamily => (name === 'tensorflow-gpu' ? 'tensorflow' : name);

/** Where the wasm binaries are: next to the bundle (lib/wasm), or in node_modules when run from source. */
export function wasmDirectory(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [env.MLOPS_WASM_DIR, join(here, '../wasm'), join(here, 'wasm')];
  try {
    candidates.push(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')));
  } catch {
    // not installed: only the bundle's copy can serve
  }
  return candidates.find((dir) => dir && existsSync(join(dir, 'tfjs-backend-wasm-simd.wasm')));
}

/**
 * Finds a native TensorFlow.js package on the runner: the workflow's node_modules
 * ($GITHUB_WORKSPACE or the working directory), the runner's tool cache
 * ($RUNNER_TOOL_CACHE/mlops-actions/node_modules), or $MLOPS_TFJS_NODE_PATH.
 */
export function resolveNative(pkg: string, env: NodeJS.ProcessEnv = process.env): { path?: string; searched: string[] } {
  const roots = [env.MLOPS_TFJS_NODE_PATH, env.GITHUB_WORKSPACE || process.cwd(), env.RUNNER_TOOL_CACHE && join(env.RUNNER_TOOL_CACHE, 'mlops-actions')].filter(Boolean) as string[];
  for (const root of roots) {
    try {
      return { path: createRequire(join(root, 'package.json')).resolve(pkg), searched: roots };
    } catch {
      // try the next place
    }
  }
  return { searched: roots };
}

/** GPUs as nvidia-smi lists them (empty when there is no driver or no GPU). */
export async function listGpus(): Promise<{ name: string; memoryMiB: number; driver: string }[]> {
  try {
    const { stdout } = await promisify(execFile)('nvidia-smi', ['--query-gpu=name,memory.total,driver_version', '--format=csv,noheader,nounits'], { timeout: 10_000 });
    return stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [name, memory, driver] = l.split(',').map((s) => s.trim());
        return { name, memoryMiB: Number(memory), driver };
      });
  } catch {
    return [];
  }
}

async function loadNative(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node', env: NodeJS.ProcessEnv): Promise<Tf> {
  const found = resolveNative(pkg, env);
  if (!found.path) throw new Error(`${pkg} is not installed (looked in ${found.searched.join(', ')})`);
  // A native addon: loaded from the runner, never bundled.
  const tf = createRequire(import.meta.url)(found.path) as Tf;
  await tf.ready();
  if (tf.getBackend() !== 'tensorflow') throw new Error(`${pkg} loaded but its backend is '${tf.getBackend()}'`);
  return tf;
}

async function loadBundled(name: 'wasm' | 'cpu', env: NodeJS.ProcessEnv): Promise<Tf> {
  const tf = bundledTf();
  if (!version_cpu) throw new Error('the cpu backend is missing from the bundle');
  if (name === 'wasm') {
    const dir = wasmDirectory(env);
    if (!dir) throw new Error('the WebAssembly binaries (tfjs-backend-wasm-simd.wasm) were not found next to the bundle');
    setWasmPaths(`${dir}/`);
  }
  if (!(await tf.setBackend(name))) throw new Error(`TensorFlow.js could not initialise the ${name} backend`);
  await tf.ready();
  tf.enableProdMode();
  return tf;
}

/**
 * Loads the requested backend. `auto` tries, in order, tfjs-node-gpu (when it loads and a
 * GPU is visible), tfjs-node, wasm, cpu, and records why each better one was not taken.
 * `requireGpu` fails fast when no GPU backend loads.
 */
export async function loadBackend(choice: BackendChoice, options: { requireGpu: boolean; logger: Logger; env?: NodeJS.ProcessEnv }): Promise<LoadedBackend> {
  const env = options.env ?? process.env;
  const order: BackendName[] = choice === 'auto' ? ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] : [choice];
  const skipped: LoadedBackend['skipped'] = [];
  for (const name of order) {
    if (options.requireGpu && name !== 'tensorflow-gpu') break;
    try {
      if (name === 'tensorflow-gpu') {
        const gpus = await listGpus();
        if (gpus.length === 0) throw new Error('no NVIDIA GPU is visible (nvidia-smi lists none or is not installed)');
        const tf = await loadNative('@tensorflow/tfjs-node-gpu', env);
        const device = gpus.map((g, i) => `GPU ${i}: ${g.name} (${g.memoryMiB} MiB, driver ${g.driver})`).join('; ');
        return { tf, name, family: 'tensorflow', device, skipped };
      }
      if (name === 'tensorflow') return { tf: await loadNative('@tensorflow/tfjs-node', env), name, family: 'tensorflow', device: 'CPU (libtensorflow)', skipped };
      const tf = await loadBundled(name, env);
      return { tf, name, family: name, device: name === 'wasm' ? 'CPU (WebAssembly SIMD, 1 thread)' : 'CPU (JavaScript)', skipped };
    } catch (error) {
      skipped.push({ backend: name, reason: (error as Error).message });
    }
  }
  const why = skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ');
  if (options.requireGpu) {
    throw new ConfigurationError(
      `is true, but no GPU backend loaded (${why}). This job is on a runner without a usable GPU; route it to a GPU runner (runs-on: [self-hosted, gpu]) with @tensorflow/tfjs-node-gpu installed, or set require-gpu: false to train on CPU.`,
      { input: 'require-gpu' },
    );
  }
  throw new ConfigurationError(`backend '${choice}' could not be loaded: ${why}. Valid backends: ${BACKEND_CHOICES.join(', ')}.`, { input: 'backend' });
}
