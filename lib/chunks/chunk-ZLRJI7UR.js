import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
import { dirname as __mlopsDirname } from 'node:path';
const require = __mlopsCreateRequire(import.meta.url);
const __filename = __mlopsFileURLToPath(import.meta.url);
const __dirname = __mlopsDirname(__filename);
import{f as m}from"./chunk-CQNVEDSA.js";import{a as d}from"./chunk-IEQMDB5Z.js";async function u(r,e){let t=e.file(e.manifest.spec.files.model);return r.loadLayersModel(m(t.replace(/[/\\][^/\\]+$/,"")))}d(u,"loadModel");async function M(r,e,t,l,i,c=256){let s=l.reduce((o,a)=>o*a,1),n=t.length/s,y=new Float32Array(n*i);for(let o=0;o<n;o+=c){let a=Math.min(c,n-o),f=r.tidy(()=>e.predict(r.tensor(t.subarray(o*s,(o+a)*s),[a,...l],"float32")));y.set(await f.data(),o*i),f.dispose()}return y}d(M,"predictRows");export{u as a,M as b};
