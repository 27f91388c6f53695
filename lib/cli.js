import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
import { dirname as __mlopsDirname } from 'node:path';
const require = __mlopsCreateRequire(import.meta.url);
const __filename = __mlopsFileURLToPath(import.meta.url);
const __dirname = __mlopsDirname(__filename);
import{SERVE_FLAGS,createStreamLogger,parseFlags,serve}from"./chunks/chunk-424LAMJY.js";import{buildImageStage}from"./chunks/chunk-HFSY5ORR.js";import"./chunks/chunk-4PVQI6HN.js";import"./chunks/chunk-HFMQBKM5.js";import{evaluateGateStage}from"./chunks/chunk-MXKNWGOP.js";import"./chunks/chunk-TGGGEUPG.js";import{postMetricsCommentStage}from"./chunks/chunk-GPQSFL5J.js";import"./chunks/chunk-XENXFHNI.js";import{preprocessDataStage}from"./chunks/chunk-TVHGL3TR.js";import{trainModelStage}from"./chunks/chunk-5YUBXA2W.js";import"./chunks/chunk-AKBW36LL.js";import"./chunks/chunk-DBHT5Z72.js";import{VERSION}from"./chunks/chunk-RY2GSN4C.js";import{createArtifactCache}from"./chunks/chunk-DZIFNNRZ.js";import{ConfigurationError,didYouMean,isUserError}from"./chunks/chunk-BRHLPU63.js";import"./chunks/chunk-D35TJWPK.js";var stages={[preprocessDataStage.name]:preprocessDataStage,[trainModelStage.name]:trainModelStage,[evaluateGateStage.name]:evaluateGateStage,[postMetricsCommentStage.name]:postMetricsCommentStage,[buildImageStage.name]:buildImageStage};var USAGE=`mlops ${VERSION}: the mlops-actions stages on the command line

usage: mlops <stage> [--<input> <value>]...
       mlops <stage> --help
       mlops serve --model <Model artifact> [--port 8080] [--max-batch-size 64] [--max-wait-ms 2]

Flags are named exactly like the action's inputs. Outputs are printed as JSON on stdout;
logs go to stderr. Stages: ${Object.keys(stages).join(", ")}.`;async function main(argv,io=process){let[name,...rest]=argv;if(!name||name==="--help"||name==="-h"||name==="help")return io.stdout.write(`${USAGE}
`),name?0:2;if(name==="--version")return io.stdout.write(`${VERSION}
`),0;let logger=createStreamLogger(io.stderr,{debug:!!process.env.MLOPS_DEBUG});try{if(name==="serve"){let flags2=parseFlags(rest,SERVE_FLAGS,"serve");return await serve(input=>flags2.get(input)??"",logger),0}let stage=stages[name];if(!stage)throw new ConfigurationError(`unknown stage '${name}'${didYouMean(name,Object.keys(stages))}; stages: ${Object.keys(stages).join(", ")}.`);if(rest.includes("--help")){let lines=stage.inputs.map(i=>`  --${i}${stage.defaults[i]!==void 0?` (default: ${stage.defaults[i]})`:""}`);return io.stdout.write(`usage: mlops ${name} [flags]

${lines.join(`
`)}

See action-catalog.md for what each input means.
`),0}let flags=parseFlags(rest,stage.inputs,name),options=stage.parseInputs(input=>flags.get(input)??""),result=await stage.execute(options,{logger,cache:createArtifactCache(logger),via:"cli",env:process.env});io.stdout.write(`${JSON.stringify(stage.outputs(result),null,2)}
`);let failure=stage.failure?.(result);return failure?(logger.error(failure),1):0}catch(error){return isUserError(error)?logger.error(error.message):logger.error(`unexpected failure (a bug in mlops-actions): ${error?.stack??error}`),1}}process.exitCode=await main(process.argv.slice(2));
