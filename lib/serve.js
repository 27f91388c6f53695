import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
import { dirname as __mlopsDirname } from 'node:path';
const require = __mlopsCreateRequire(import.meta.url);
const __filename = __mlopsFileURLToPath(import.meta.url);
const __dirname = __mlopsDirname(__filename);
import{SERVE_FLAGS,createStreamLogger,parseFlags,serve}from"./chunks/chunk-424LAMJY.js";import"./chunks/chunk-HFMQBKM5.js";import"./chunks/chunk-TGGGEUPG.js";import"./chunks/chunk-AKBW36LL.js";import"./chunks/chunk-RY2GSN4C.js";import{isUserError}from"./chunks/chunk-BRHLPU63.js";import"./chunks/chunk-D35TJWPK.js";var logger=createStreamLogger(process.stderr);try{let flags=parseFlags(process.argv.slice(2),SERVE_FLAGS,"serve");await serve(name=>flags.get(name)??"",logger)}catch(error){process.stderr.write(`${JSON.stringify({time:new Date().toISOString(),level:"error",msg:isUserError(error)?error.message:String(error?.stack??error)})}
`),process.exitCode=1}
