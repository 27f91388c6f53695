import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
import { dirname as __mlopsDirname } from 'node:path';
const require = __mlopsCreateRequire(import.meta.url);
const __filename = __mlopsFileURLToPath(import.meta.url);
const __dirname = __mlopsDirname(__filename);
import{a as e}from"./chunk-IEQMDB5Z.js";function a(n){let r=n>>>0;return()=>{r=r+1831565813>>>0;let t=r;return t=Math.imul(t^t>>>15,t|1),t^=t+Math.imul(t^t>>>7,t|61),((t^t>>>14)>>>0)/4294967296}}e(a,"createRandom");function l(n,r){for(let t=n.length-1;t>0;t--){let o=Math.floor(r()*(t+1)),u=n[t];n[t]=n[o],n[o]=u}}e(l,"shuffleInPlace");export{a,l as b};
