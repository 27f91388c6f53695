import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
import { dirname as __mlopsDirname } from 'node:path';
const require = __mlopsCreateRequire(import.meta.url);
const __filename = __mlopsFileURLToPath(import.meta.url);
const __dirname = __mlopsDirname(__filename);
import{trainModelStage}from"../../../lib/chunks/chunk-5YUBXA2W.js";import"../../../lib/chunks/chunk-AKBW36LL.js";import"../../../lib/chunks/chunk-DBHT5Z72.js";import"../../../lib/chunks/chunk-RY2GSN4C.js";import{readActionInput,runAction}from"../../../lib/chunks/chunk-MPO4XAEM.js";import"../../../lib/chunks/chunk-DZIFNNRZ.js";import"../../../lib/chunks/chunk-BRHLPU63.js";import"../../../lib/chunks/chunk-7AEDUENL.js";import"../../../lib/chunks/chunk-DEG5FIHP.js";import"../../../lib/chunks/chunk-D35TJWPK.js";function getInputs(){return trainModelStage.parseInputs(readActionInput)}function run(){return runAction(trainModelStage,getInputs)}await run();
