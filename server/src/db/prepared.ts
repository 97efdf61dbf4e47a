/**
 * Named statements for the hottest queries. On Postgres a named statement is parsed and planned once per
 * connection instead of on every call, which roughly halves the database's CPU for a ticket issue. PGlite
 * runs the same text unnamed. A name must always carry the same SQL text (pg refuses otherwise), so only
 * fixed-shape queries go through here, and they return named columns, never `*`: a cached plan must not
 * change its result type when a later migration adds a column. (A transaction-pooling proxy between the
 * nodes and Postgres would have to support named statements.)
 */
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Tx } from './client.ts';

const dialect = new PgDialect();

export async function executeNamed<Row>(tx: Tx, name: string, query: SQL): Promise<Row[]> {
  return executeNamedQuery<Row>(tx, name, dialect.sqlToQuery(query));
}

/** The same for a statement whose text is written out once (`$1`, `$2` …), skipping the query builder. */
export async function executeNamedText<Row>(tx: Tx, name: string, text: string, params: unknown[]): Promise<Row[]> {
  return executeNamedQuery<Row>(tx, name, { sql: text, params });
}

async function executeNamedQuery<Row>(tx: Tx, name: string, query: { sql: string; params: unknown[] }): Promise<Row[]> {
  const prepared = tx._.session.prepareQuery(query, undefined, name, false);
  const result = (await prepared.execute()) as { rows: Row[] };
  return result.rows;
}
