import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
import { dirname as __mlopsDirname } from 'node:path';
const require = __mlopsCreateRequire(import.meta.url);
const __filename = __mlopsFileURLToPath(import.meta.url);
const __dirname = __mlopsDirname(__filename);
import{directoryHandler}from"./chunk-AKBW36LL.js";async function loadModel(tf,artifact){let modelJson=artifact.file(artifact.manifest.spec.files.model);return tf.loadLayersModel(directoryHandler(modelJson.replace(/[/\\][^/\\]+$/,"")))}async function predictRows(tf,model,features,shape,units,batchSize=256){let width=shape.reduce((a,b)=>a*b,1),rows=features.length/width,out=new Float32Array(rows*units);for(let start=0;start<rows;start+=batchSize){let n=Math.min(batchSize,rows-start),y=tf.tidy(()=>model.predict(tf.tensor(features.subarray(start*width,(start+n)*width),[n,...shape],"float32")));out.set(await y.data(),start*units),y.dispose()}return out}export{loadModel,predictRows};
