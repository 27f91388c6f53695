import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
import { dirname as __mlopsDirname } from 'node:path';
const require = __mlopsCreateRequire(import.meta.url);
const __filename = __mlopsFileURLToPath(import.meta.url);
const __dirname = __mlopsDirname(__filename);
import{postMetricsCommentStage}from"../../../lib/chunks/chunk-BINK3WNV.js";import"../../../lib/chunks/chunk-24YNCTCF.js";import{readActionInput,runAction}from"../../../lib/chunks/chunk-D342KWAP.js";import"../../../lib/chunks/chunk-2EFGT4CT.js";import"../../../lib/chunks/chunk-U67JSSOP.js";import"../../../lib/chunks/chunk-7AEDUENL.js";import"../../../lib/chunks/chunk-DEG5FIHP.js";import"../../../lib/chunks/chunk-D35TJWPK.js";function getInputs(){return postMetricsCommentStage.parseInputs(readActionInput)}function run(){return runAction(postMetricsCommentStage,getInputs)}await run();
