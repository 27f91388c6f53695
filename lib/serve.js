import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
import { dirname as __mlopsDirname } from 'node:path';
const require = __mlopsCreateRequire(import.meta.url);
const __filename = __mlopsFileURLToPath(import.meta.url);
const __dirname = __mlopsDirname(__filename);
import{a as s,b as t,c as o,d as i}from"./chunks/chunk-T2KA2LHF.js";import"./chunks/chunk-ZFPO7GOX.js";import"./chunks/chunk-ZLRJI7UR.js";import"./chunks/chunk-CQNVEDSA.js";import"./chunks/chunk-3MA6VKCO.js";import"./chunks/chunk-HTJNZIOC.js";import{b as e}from"./chunks/chunk-XCSC7EDR.js";import"./chunks/chunk-IEQMDB5Z.js";var g=t(process.stderr);try{let r=s(process.argv.slice(2),o,"serve");await i(a=>r.get(a)??"",g)}catch(r){process.stderr.write(`${JSON.stringify({time:new Date().toISOString(),level:"error",msg:e(r)?r.message:String(r?.stack??r)})}
`),process.exitCode=1}
