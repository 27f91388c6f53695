import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
import { dirname as __mlopsDirname } from 'node:path';
const require = __mlopsCreateRequire(import.meta.url);
const __filename = __mlopsFileURLToPath(import.meta.url);
const __dirname = __mlopsDirname(__filename);
import{a as u}from"./chunks/chunk-3SUT3HHK.js";import{a as m,b as E,c as O,d as j}from"./chunks/chunk-T2KA2LHF.js";import{a as f}from"./chunks/chunk-U43WWBTO.js";import{a as l}from"./chunks/chunk-6MPXTQXG.js";import{a as S}from"./chunks/chunk-XGRP2J43.js";import"./chunks/chunk-PY4NSUP7.js";import"./chunks/chunk-IU43QJIX.js";import"./chunks/chunk-ZFPO7GOX.js";import{f as d}from"./chunks/chunk-2F6KXGAL.js";import"./chunks/chunk-7R2GBTLL.js";import"./chunks/chunk-ZLRJI7UR.js";import"./chunks/chunk-CQNVEDSA.js";import{a as g}from"./chunks/chunk-PKTJTQRF.js";import"./chunks/chunk-W3EC62WC.js";import"./chunks/chunk-262LDCD5.js";import"./chunks/chunk-DHCL36LC.js";import{a as c}from"./chunks/chunk-ZOIBVP6S.js";import"./chunks/chunk-MOZ2MU36.js";import"./chunks/chunk-3MA6VKCO.js";import"./chunks/chunk-CKDLEZOB.js";import{a as p}from"./chunks/chunk-HTJNZIOC.js";import"./chunks/chunk-5J46NKW2.js";import{a as x}from"./chunks/chunk-SJNJBT64.js";import{a as w,b as y,c as b}from"./chunks/chunk-XCSC7EDR.js";import{a as v}from"./chunks/chunk-IEQMDB5Z.js";var n={[c.name]:c,[u.name]:u,[l.name]:l,[g.name]:g,[f.name]:f,[d.name]:d,[S.name]:S};var G=`mlops ${p}: the mlops-actions stages on the command line

usage: mlops <stage> [--<input> <value>]...
       mlops <stage> --help
       mlops serve --model <Model artifact> [--port 8080] [--max-batch-size 64] [--max-wait-ms 0]

Flags are named exactly like the action's inputs. Outputs are printed as JSON on stdout;
logs go to stderr. Stages: ${Object.keys(n).join(", ")}.`;async function k(M,o=process){let[t,...i]=M;if(!t||t==="--help"||t==="-h"||t==="help")return o.stdout.write(`${G}
`),t?0:2;if(t==="--version")return o.stdout.write(`${p}
`),0;let r=E(o.stderr,{debug:!!process.env.MLOPS_DEBUG});try{if(t==="serve"){let s=m(i,O,"serve");return await j(a=>s.get(a)??"",r),0}let e=n[t];if(!e)throw new w(`unknown stage '${t}'${b(t,Object.keys(n))}; stages: ${Object.keys(n).join(", ")}.`);if(i.includes("--help")){let s=e.inputs.map(a=>`  --${a}${e.defaults[a]!==void 0?` (default: ${e.defaults[a]})`:""}`);return o.stdout.write(`usage: mlops ${t} [flags]

${s.join(`
`)}

See action-catalog.md for what each input means.
`),0}let N=m(i,e.inputs,t),C=e.parseInputs(s=>N.get(s)??""),h=await e.execute(C,{logger:r,cache:x(r),via:"cli",env:process.env});o.stdout.write(`${JSON.stringify(e.outputs(h),null,2)}
`);let $=e.failure?.(h);return $?(r.error($),1):0}catch(e){return y(e)?r.error(e.message):r.error(`unexpected failure (a bug in mlops-actions): ${e?.stack??e}`),1}}v(k,"main");process.exitCode=await k(process.argv.slice(2));
