import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
import { dirname as __mlopsDirname } from 'node:path';
const require = __mlopsCreateRequire(import.meta.url);
const __filename = __mlopsFileURLToPath(import.meta.url);
const __dirname = __mlopsDirname(__filename);
import{a,b}from"./chunk-O7XG7FO4.js";import"./chunk-PB3ZUO35.js";import"./chunk-B6EB6USS.js";import"./chunk-IEQMDB5Z.js";export{a as VERSION,b as retry};
