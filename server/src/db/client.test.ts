/**
 * A cached read on the root handle inside a transaction (the site directory's) is refused on embedded
 * PGlite even in production (strictTransactions false): there a cache miss would wait for the transaction
 * that waits for it, and the whole server would hang on the one connection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from './client.ts';
import { RootQueryInTransactionError } from './transaction-scope.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'yc-client-'));
let database: Database | undefined;
afterAll(async () => {
  await database?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('checkRootRead on PGlite', () => {
  it('refuses a root read inside a transaction also where transactions are not strict (production)', async () => {
    database = createDatabase({ databaseUrl: undefined, dataDir: dir, strictTransactions: false });
    const check = database.checkRootRead;
    const outcome = await database.db.transaction(async () => check('site directory read')).then(() => 'passed', (err: unknown) => err);
    expect(outcome).toBeInstanceOf(RootQueryInTransactionError);
    // Outside a transaction the read is fine.
    expect(() => check('site directory read')).not.toThrow();
  });
});
