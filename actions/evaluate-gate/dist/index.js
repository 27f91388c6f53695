import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
import { dirname as __mlopsDirname } from 'node:path';
const require = __mlopsCreateRequire(import.meta.url);
const __filename = __mlopsFileURLToPath(import.meta.url);
const __dirname = __mlopsDirname(__filename);
import{a as r}from"../../../lib/chunks/chunk-6MPXTQXG.js";import"../../../lib/chunks/chunk-ZLRJI7UR.js";import"../../../lib/chunks/chunk-CQNVEDSA.js";import"../../../lib/chunks/chunk-W3EC62WC.js";import"../../../lib/chunks/chunk-DHCL36LC.js";import"../../../lib/chunks/chunk-MOZ2MU36.js";import"../../../lib/chunks/chunk-3MA6VKCO.js";import"../../../lib/chunks/chunk-CKDLEZOB.js";import"../../../lib/chunks/chunk-HTJNZIOC.js";import"../../../lib/chunks/chunk-5J46NKW2.js";import{a as e,b as o}from"../../../lib/chunks/chunk-EI2T3WOQ.js";import"../../../lib/chunks/chunk-ZQI6L46M.js";import"../../../lib/chunks/chunk-HUD5M2B2.js";import"../../../lib/chunks/chunk-SJNJBT64.js";import"../../../lib/chunks/chunk-XCSC7EDR.js";import{a as t}from"../../../lib/chunks/chunk-IEQMDB5Z.js";function a(){return r.parseInputs(e)}t(a,"getInputs");function n(){return o(r,a)}t(n,"run");await n();
