/** BullMQ with REDIS_URL, the in-process runner otherwise. */
import type { Config } from '../config.ts';
import type { Clock } from '../lib/clock.ts';
import { createBullmqRunner } from './bullmq-runner.ts';
import { createInProcessRunner } from './in-process-runner.ts';
import type { JobRunner } from './job-runner.ts';

export function createJobRunner(deps: { config: Config; clock: Clock; onError: (name: string, err: unknown) => void }): JobRunner {
  if (deps.config.redisUrl) {
    return createBullmqRunner({ redisUrl: deps.config.redisUrl, prefix: deps.config.redisPrefix, onError: deps.onError, now: deps.clock.now });
  }
  return createInProcessRunner({ onError: deps.onError, now: deps.clock.now });
}
