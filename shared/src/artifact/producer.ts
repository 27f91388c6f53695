import { VERSION } from '../version.js';
import type { Producer } from './schema.js';

/** Who made an artifact: the action or subcommand, the suite version, and the run when on a runner. */
export function describeProducer(
  action: string,
  via: Producer['via'],
  env: NodeJS.ProcessEnv = process.env,
): Producer {
  const producer: Producer = { action, version: VERSION, via };
  if (env.GITHUB_SHA) producer.sha = env.GITHUB_SHA;
  if (env.GITHUB_REF) producer.ref = env.GITHUB_REF;
  if (env.GITHUB_REPOSITORY) producer.repository = env.GITHUB_REPOSITORY;
  if (env.GITHUB_RUN_ID) {
    producer.runId = env.GITHUB_RUN_ID;
    if (env.GITHUB_REPOSITORY) {
      const server = env.GITHUB_SERVER_URL || 'https://github.com';
      producer.runUrl = `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
    }
  }
  return producer;
}
