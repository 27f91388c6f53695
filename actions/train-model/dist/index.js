import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
import { dirname as __mlopsDirname } from 'node:path';
const require = __mlopsCreateRequire(import.meta.url);
const __filename = __mlopsFileURLToPath(import.meta.url);
const __dirname = __mlopsDirname(__filename);
import{a as t}from"../../../lib/chunks/chunk-3SUT3HHK.js";import"../../../lib/chunks/chunk-7R2GBTLL.js";import"../../../lib/chunks/chunk-CQNVEDSA.js";import"../../../lib/chunks/chunk-MOZ2MU36.js";import"../../../lib/chunks/chunk-3MA6VKCO.js";import"../../../lib/chunks/chunk-CKDLEZOB.js";import"../../../lib/chunks/chunk-HTJNZIOC.js";import"../../../lib/chunks/chunk-5J46NKW2.js";import{a as o,b as n}from"../../../lib/chunks/chunk-EI2T3WOQ.js";import"../../../lib/chunks/chunk-ZQI6L46M.js";import"../../../lib/chunks/chunk-HUD5M2B2.js";import"../../../lib/chunks/chunk-SJNJBT64.js";import"../../../lib/chunks/chunk-XCSC7EDR.js";import{a as r}from"../../../lib/chunks/chunk-IEQMDB5Z.js";function i(){return t.parseInputs(o)}r(i,"getInputs");function p(){return n(t,i)}r(p,"run");await p();
