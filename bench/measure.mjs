// Runs a module as the main program and reports its peak RSS and CPU time on stderr
// as one JSON line ("bench:" prefix) when the process exits.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const [script, ...args] = process.argv.slice(2);
process.argv = [process.argv[0], resolve(script), ...args];
const started = process.hrtime.bigint();
process.on('exit', () => {
  const usage = process.resourceUsage();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stderr.write(`bench:${JSON.stringify({ seconds, maxRssMb: usage.maxRSS / 1024, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6 })}\n`);
});
await import(pathToFileURL(resolve(script)).href);
