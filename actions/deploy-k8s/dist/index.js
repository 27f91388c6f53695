import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
import { dirname as __mlopsDirname } from 'node:path';
const require = __mlopsCreateRequire(import.meta.url);
const __filename = __mlopsFileURLToPath(import.meta.url);
const __dirname = __mlopsDirname(__filename);
import{f as r}from"../../../lib/chunks/chunk-2F6KXGAL.js";import"../../../lib/chunks/chunk-7R2GBTLL.js";import"../../../lib/chunks/chunk-CKDLEZOB.js";import"../../../lib/chunks/chunk-HTJNZIOC.js";import{a as t,b as p}from"../../../lib/chunks/chunk-EI2T3WOQ.js";import"../../../lib/chunks/chunk-ZQI6L46M.js";import"../../../lib/chunks/chunk-HUD5M2B2.js";import"../../../lib/chunks/chunk-SJNJBT64.js";import"../../../lib/chunks/chunk-XCSC7EDR.js";import{a as o}from"../../../lib/chunks/chunk-IEQMDB5Z.js";function e(){return r.parseInputs(t)}o(e,"getInputs");function n(){return p(r,e)}o(n,"run");await n();
