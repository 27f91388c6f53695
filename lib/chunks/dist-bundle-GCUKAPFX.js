import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
import { dirname as __mlopsDirname } from 'node:path';
const require = __mlopsCreateRequire(import.meta.url);
const __filename = __mlopsFileURLToPath(import.meta.url);
const __dirname = __mlopsDirname(__filename);
import{VERSION,retry}from"./chunk-OBIUJ4JM.js";import"./chunk-X6PFM5II.js";import"./chunk-VVI7J3JK.js";import"./chunk-D35TJWPK.js";export{VERSION,retry};
