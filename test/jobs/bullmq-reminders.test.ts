import { describe, it } from 'vitest';
import { REMINDER_TEST_MS, sweepsAcrossRestarts, timerAcrossRestart } from './reminder-scenarios.ts';

describe('reminders and no-shows on BullMQ (REDIS_URL)', () => {
  it('job schedulers deliver every reminder once and mark no-shows across server restarts', async () => {
    await sweepsAcrossRestarts(true);
  }, REMINDER_TEST_MS);

  it('a delayed job set at booking fires on the next server after its setter stopped', async () => {
    await timerAcrossRestart(true);
  }, REMINDER_TEST_MS);
});
