import { describe, it } from 'vitest';
import { sweepsAcrossRestarts, timerAcrossRestart } from './reminder-scenarios.ts';

describe('reminders and no-shows on the in-process runner (no Redis)', () => {
  it('periodic sweeps read the database, so a restart loses nothing and repeats nothing', async () => {
    await sweepsAcrossRestarts(false);
  }, 90_000);

  it('one-off timers lost with the process are set again from the database at boot', async () => {
    await timerAcrossRestart(false);
  }, 90_000);
});
