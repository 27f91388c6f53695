import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
import { dirname as __mlopsDirname } from 'node:path';
const require = __mlopsCreateRequire(import.meta.url);
const __filename = __mlopsFileURLToPath(import.meta.url);
const __dirname = __mlopsDirname(__filename);
import{b as a,c as b}from"./chunk-WEHBYI6K.js";import"./chunk-PB3ZUO35.js";import"./chunk-HUD5M2B2.js";import"./chunk-IEQMDB5Z.js";export{a as context,b as getOctokit};
