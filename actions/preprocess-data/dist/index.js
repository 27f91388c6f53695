import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
import { dirname as __mlopsDirname } from 'node:path';
const require = __mlopsCreateRequire(import.meta.url);
const __filename = __mlopsFileURLToPath(import.meta.url);
const __dirname = __mlopsDirname(__filename);
import{preprocessDataStage}from"../../../lib/chunks/chunk-ZRKTOJKT.js";import"../../../lib/chunks/chunk-MILP34UT.js";import"../../../lib/chunks/chunk-JRQSFAN2.js";import{readActionInput,runAction}from"../../../lib/chunks/chunk-D342KWAP.js";import"../../../lib/chunks/chunk-2EFGT4CT.js";import"../../../lib/chunks/chunk-U67JSSOP.js";import"../../../lib/chunks/chunk-7AEDUENL.js";import"../../../lib/chunks/chunk-DEG5FIHP.js";import"../../../lib/chunks/chunk-D35TJWPK.js";function getInputs(){return preprocessDataStage.parseInputs(readActionInput)}function run(){return runAction(preprocessDataStage,getInputs)}await run();
