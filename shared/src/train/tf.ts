import * as tfc from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as tfd from '@tensorflow/tfjs-data';

/**
 * The TensorFlow.js API the training and evaluation code uses. The bundled build provides
 * it for the wasm and cpu backends; a runner's @tensorflow/tfjs-node(-gpu) provides its own
 * copy (native addons cannot be bundled), so the code never imports tf directly: it is handed
 * the namespace of whichever backend loaded.
 */
export type Tf = typeof tfc & Pick<typeof tfl, 'sequential' | 'layers' | 'loadLayersModel' | 'initializers' | 'callbacks' | 'CallbackList'> & { data: typeof tfd };

export type LayersModel = tfl.LayersModel;
export type Sequential = tfl.Sequential;
export type Tensor = tfc.Tensor;

/** The bundled TensorFlow.js (core, layers, data). */
export function bundledTf(): Tf {
  return { ...tfc, sequential: tfl.sequential, layers: tfl.layers, loadLayersModel: tfl.loadLayersModel, initializers: tfl.initializers, callbacks: tfl.callbacks, CallbackList: tfl.CallbackList, data: tfd } as Tf;
}
