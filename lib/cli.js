import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
import { dirname as __mlopsDirname } from 'node:path';
const require = __mlopsCreateRequire(import.meta.url);
const __filename = __mlopsFileURLToPath(import.meta.url);
const __dirname = __mlopsDirname(__filename);
import{evaluateGateStage}from"./chunks/chunk-RZDKK66F.js";import{postMetricsCommentStage}from"./chunks/chunk-LDODQCAK.js";import"./chunks/chunk-3ORZABEH.js";import{preprocessDataStage}from"./chunks/chunk-SQSET67W.js";import{trainModelStage}from"./chunks/chunk-2QEOSY53.js";import"./chunks/chunk-6QUKVKLS.js";import{VERSION}from"./chunks/chunk-XZTOBMYL.js";import{ConfigurationError,createArtifactCache,didYouMean,isUserError}from"./chunks/chunk-SG23YVPB.js";import"./chunks/chunk-D35TJWPK.js";function createStreamLogger(stream=process.stderr,options={}){let line=text=>{stream.write(`${text}
`)};return{info:m=>line(m),warning:m=>line(`warning: ${m}`),error:m=>line(`error: ${m}`),debug:m=>{options.debug&&line(`debug: ${m}`)},async group(name,fn){return line(`== ${name}`),fn()}}}var stages={[preprocessDataStage.name]:preprocessDataStage,[trainModelStage.name]:trainModelStage,[evaluateGateStage.name]:evaluateGateStage,[postMetricsCommentStage.name]:postMetricsCommentStage};var USAGE=`mlops ${VERSION}: the mlops-actions stages on the command line

usage: mlops <stage> [--<input> <value>]...
       mlops <stage> --help

Flags are named exactly like the action's inputs. Outputs are printed as JSON on stdout;
logs go to stderr. Stages: ${Object.keys(stages).join(", ")}.`;function parseFlags(args,valid,stage){let flags=new Map;for(let i=0;i<args.length;i++){let arg=args[i];if(!arg.startsWith("--"))throw new ConfigurationError(`unexpected argument '${arg}'; flags look like --source data.csv.`);let eq=arg.indexOf("="),name=eq>0?arg.slice(2,eq):arg.slice(2);if(!valid.includes(name))throw new ConfigurationError(`${stage} has no input '--${name}'${didYouMean(name,valid)}. Its inputs: ${valid.map(v=>`--${v}`).join(", ")}.`);let value;eq>0?value=arg.slice(eq+1):i+1<args.length&&!args[i+1].startsWith("--")?value=args[++i]:value="true",flags.set(name,flags.has(name)?`${flags.get(name)}
${value}`:value)}return flags}async function main(argv,io=process){let[name,...rest]=argv;if(!name||name==="--help"||name==="-h"||name==="help")return io.stdout.write(`${USAGE}
`),name?0:2;if(name==="--version")return io.stdout.write(`${VERSION}
`),0;let logger=createStreamLogger(io.stderr,{debug:!!process.env.MLOPS_DEBUG});try{let stage=stages[name];if(!stage)throw new ConfigurationError(`unknown stage '${name}'${didYouMean(name,Object.keys(stages))}; stages: ${Object.keys(stages).join(", ")}.`);if(rest.includes("--help")){let lines=stage.inputs.map(i=>`  --${i}${stage.defaults[i]!==void 0?` (default: ${stage.defaults[i]})`:""}`);return io.stdout.write(`usage: mlops ${name} [flags]

${lines.join(`
`)}

See action-catalog.md for what each input means.
`),0}let flags=parseFlags(rest,stage.inputs,name),options=stage.parseInputs(input=>flags.get(input)??""),result=await stage.execute(options,{logger,cache:createArtifactCache(logger),via:"cli",env:process.env});io.stdout.write(`${JSON.stringify(stage.outputs(result),null,2)}
`);let failure=stage.failure?.(result);return failure?(logger.error(failure),1):0}catch(error){return isUserError(error)?logger.error(error.message):logger.error(`unexpected failure (a bug in mlops-actions): ${error?.stack??error}`),1}}process.exitCode=await main(process.argv.slice(2));
