import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { io } from '@tensorflow/tfjs-core';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/**
 * A tf.io handler that saves a LayersModel as model.json + weights.bin in a directory and
 * loads it back: the layout tfjs-node's file:// handler uses, without needing tfjs-node.
 */
export function directoryHandler(dir: string): io.IOHandler {
  return {
    async save(artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
      await mkdir(dir, { recursive: true });
      const weightData = artifacts.weightData as ArrayBuffer;
      await writeFile(join(dir, WEIGHTS_BIN), new Uint8Array(weightData));
      const modelJson = {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs }],
      };
      await writeFile(join(dir, MODEL_JSON), `${JSON.stringify(modelJson)}\n`);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(0),
          modelTopologyType: 'JSON',
          weightDataBytes: weightData.byteLength,
        },
      };
    },
    async load(): Promise<io.ModelArtifacts> {
      const json = JSON.parse(await readFile(join(dir, MODEL_JSON), 'utf8'));
      const buffers: Buffer[] = [];
      for (const group of json.weightsManifest) for (const p of group.paths) buffers.push(await readFile(join(dir, p)));
      const all = Buffer.concat(buffers);
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        trainingConfig: json.trainingConfig,
        weightSpecs: json.weightsManifest.flatMap((g: { weights: io.WeightsManifestEntry[] }) => g.weights),
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      };
    },
  };
}
