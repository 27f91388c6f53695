import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
import { dirname as __mlopsDirname } from 'node:path';
const require = __mlopsCreateRequire(import.meta.url);
const __filename = __mlopsFileURLToPath(import.meta.url);
const __dirname = __mlopsDirname(__filename);
import{a as t}from"./chunk-IEQMDB5Z.js";var r=class extends Error{static{t(this,"RequestError")}name;status;request;response;constructor(a,u,e){super(a,{cause:e.cause}),this.name="HttpError",this.status=Number.parseInt(u),Number.isNaN(this.status)&&(this.status=0);"response"in e&&(this.response=e.response);let s=Object.assign({},e.request);e.request.headers.authorization&&(s.headers=Object.assign({},e.request.headers,{authorization:e.request.headers.authorization.replace(/(?<! ) .*$/," [REDACTED]")})),s.url=s.url.replace(/\bclient_secret=\w+/g,"client_secret=[REDACTED]").replace(/\baccess_token=\w+/g,"access_token=[REDACTED]"),this.request=s}};export{r as a};
