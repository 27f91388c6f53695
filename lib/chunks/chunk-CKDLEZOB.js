import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
import { dirname as __mlopsDirname } from 'node:path';
const require = __mlopsCreateRequire(import.meta.url);
const __filename = __mlopsFileURLToPath(import.meta.url);
const __dirname = __mlopsDirname(__filename);
import{a as s}from"./chunk-HTJNZIOC.js";import{a as I}from"./chunk-IEQMDB5Z.js";function c(R,U,r=process.env){let o={action:R,version:s,via:U};if(r.GITHUB_SHA&&(o.sha=r.GITHUB_SHA),r.GITHUB_REF&&(o.ref=r.GITHUB_REF),r.GITHUB_REPOSITORY&&(o.repository=r.GITHUB_REPOSITORY),r.GITHUB_RUN_ID&&(o.runId=r.GITHUB_RUN_ID,r.GITHUB_REPOSITORY)){let T=r.GITHUB_SERVER_URL||"https://github.com";o.runUrl=`${T}/${r.GITHUB_REPOSITORY}/actions/runs/${r.GITHUB_RUN_ID}`}return o}I(c,"describeProducer");export{c as a};
