import { describe, it } from 'vitest';
import { REMINDER_TEST_MS, sweepsAcrossRestarts, timerAcrossRestart } from './reminder-scenarios.ts';

describe('reminders and no-shows on the in-process runner (no Redis)', () => {
  it('periodic sweeps read the database, so a restart loses nothing and repeats nothing', async () => {
    await sweepsAcrossRestarts(false);
  }, REMINDER_TEST_MS);

  it('one-off timers lost with the process are set again from the database at boot', async () => {
    await timerAcrossRestart(false);
  }, REMINDER_TEST_MS);
});
