import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
import { dirname as __mlopsDirname } from 'node:path';
const require = __mlopsCreateRequire(import.meta.url);
const __filename = __mlopsFileURLToPath(import.meta.url);
const __dirname = __mlopsDirname(__filename);
import{trainModelStage}from"../../../lib/chunks/chunk-FOUYHCEE.js";import"../../../lib/chunks/chunk-YTYDQIAY.js";import{readActionInput,runAction}from"../../../lib/chunks/chunk-7SJ6Y7XI.js";import"../../../lib/chunks/chunk-CPHSEX52.js";import"../../../lib/chunks/chunk-BHBCW5NR.js";import"../../../lib/chunks/chunk-D35TJWPK.js";function getInputs(){return trainModelStage.parseInputs(readActionInput)}function run(){return runAction(trainModelStage,getInputs)}await run();
