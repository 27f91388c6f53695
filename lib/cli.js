import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
import { dirname as __mlopsDirname } from 'node:path';
const require = __mlopsCreateRequire(import.meta.url);
const __filename = __mlopsFileURLToPath(import.meta.url);
const __dirname = __mlopsDirname(__filename);
import{a as m,b as x,c as E,d as O}from"./chunks/chunk-25X3TVEM.js";import{a as f}from"./chunks/chunk-DL7YJIOI.js";import"./chunks/chunk-IU43QJIX.js";import"./chunks/chunk-PLQAOMUM.js";import{a as d}from"./chunks/chunk-LJUB533A.js";import{a as l}from"./chunks/chunk-6MGNS2XM.js";import"./chunks/chunk-LQQX5LOH.js";import{a as g}from"./chunks/chunk-ENCKO2MC.js";import"./chunks/chunk-UZTCLLLS.js";import{a as c}from"./chunks/chunk-243SQYD3.js";import{a as u}from"./chunks/chunk-2FMB6U3A.js";import"./chunks/chunk-7R2GBTLL.js";import"./chunks/chunk-3KTDKM5G.js";import"./chunks/chunk-4ZGKDV6Z.js";import"./chunks/chunk-CPZIQPYQ.js";import"./chunks/chunk-CKDLEZOB.js";import{a as p}from"./chunks/chunk-HTJNZIOC.js";import"./chunks/chunk-5J46NKW2.js";import{a as b}from"./chunks/chunk-Z26C4VUC.js";import{a as v,b as w,c as y}from"./chunks/chunk-SSDAPYHE.js";import{a as $}from"./chunks/chunk-IEQMDB5Z.js";var n={[c.name]:c,[u.name]:u,[l.name]:l,[g.name]:g,[f.name]:f,[d.name]:d};var C=`mlops ${p}: the mlops-actions stages on the command line

usage: mlops <stage> [--<input> <value>]...
       mlops <stage> --help
       mlops serve --model <Model artifact> [--port 8080] [--max-batch-size 64] [--max-wait-ms 2]

Flags are named exactly like the action's inputs. Outputs are printed as JSON on stdout;
logs go to stderr. Stages: ${Object.keys(n).join(", ")}.`;async function j(k,s=process){let[t,...i]=k;if(!t||t==="--help"||t==="-h"||t==="help")return s.stdout.write(`${C}
`),t?0:2;if(t==="--version")return s.stdout.write(`${p}
`),0;let r=x(s.stderr,{debug:!!process.env.MLOPS_DEBUG});try{if(t==="serve"){let o=m(i,E,"serve");return await O(a=>o.get(a)??"",r),0}let e=n[t];if(!e)throw new v(`unknown stage '${t}'${y(t,Object.keys(n))}; stages: ${Object.keys(n).join(", ")}.`);if(i.includes("--help")){let o=e.inputs.map(a=>`  --${a}${e.defaults[a]!==void 0?` (default: ${e.defaults[a]})`:""}`);return s.stdout.write(`usage: mlops ${t} [flags]

${o.join(`
`)}

See action-catalog.md for what each input means.
`),0}let M=m(i,e.inputs,t),N=e.parseInputs(o=>M.get(o)??""),S=await e.execute(N,{logger:r,cache:b(r),via:"cli",env:process.env});s.stdout.write(`${JSON.stringify(e.outputs(S),null,2)}
`);let h=e.failure?.(S);return h?(r.error(h),1):0}catch(e){return w(e)?r.error(e.message):r.error(`unexpected failure (a bug in mlops-actions): ${e?.stack??e}`),1}}$(j,"main");process.exitCode=await j(process.argv.slice(2));
