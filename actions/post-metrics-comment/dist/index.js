import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
import { dirname as __mlopsDirname } from 'node:path';
const require = __mlopsCreateRequire(import.meta.url);
const __filename = __mlopsFileURLToPath(import.meta.url);
const __dirname = __mlopsDirname(__filename);
import{a as o}from"../../../lib/chunks/chunk-PKTJTQRF.js";import"../../../lib/chunks/chunk-W3EC62WC.js";import"../../../lib/chunks/chunk-262LDCD5.js";import"../../../lib/chunks/chunk-DHCL36LC.js";import"../../../lib/chunks/chunk-5J46NKW2.js";import{a as r,b as m}from"../../../lib/chunks/chunk-EI2T3WOQ.js";import"../../../lib/chunks/chunk-ZQI6L46M.js";import"../../../lib/chunks/chunk-HUD5M2B2.js";import"../../../lib/chunks/chunk-SJNJBT64.js";import"../../../lib/chunks/chunk-XCSC7EDR.js";import{a as t}from"../../../lib/chunks/chunk-IEQMDB5Z.js";function n(){return o.parseInputs(r)}t(n,"getInputs");function p(){return m(o,n)}t(p,"run");await p();
