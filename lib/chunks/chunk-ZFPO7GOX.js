import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
import { dirname as __mlopsDirname } from 'node:path';
const require = __mlopsCreateRequire(import.meta.url);
const __filename = __mlopsFileURLToPath(import.meta.url);
const __dirname = __mlopsDirname(__filename);
import{a as f,b as c}from"./chunk-ZLRJI7UR.js";import{c as u}from"./chunk-CQNVEDSA.js";import{c as l}from"./chunk-3MA6VKCO.js";import{h as m}from"./chunk-XCSC7EDR.js";import{a as d}from"./chunk-IEQMDB5Z.js";async function v(g,o){let y=performance.now(),t=await m(g,{kind:"Model",input:"model"}),p=await u(o.backend??"auto",{requireGpu:!1,logger:o.logger,env:o.env}),s=p.tf,n=await f(s,t),e=t.manifest.spec,a=e.input.shape.reduce((i,r)=>i*r,1);return await c(s,n,new Float32Array(a),e.input.shape,e.output.units,1),{name:t.manifest.name,version:"1",task:e.task,classes:e.classes,shape:e.input.shape,width:a,units:e.output.units,digest:t.manifest.digest,backend:p.name,loadSeconds:(performance.now()-y)/1e3,async predict(i,r){let h=l(e.input.normalization,Float32Array.from(i.subarray(0,r*a)),a);return c(s,n,h,e.input.shape,e.output.units,Math.max(1,r))},dispose:d(()=>n.dispose(),"dispose")}}d(v,"loadServedModel");export{v as a};
