import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Pool } from 'pg';

/** The repository's migrations, applied in file-name order. */
export const MIGRATIONS_PATH = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Any number, the same in every process: two bots starting together migrate one after the other. */
const MIGRATION_LOCK = 74_201_306;

/** Tables that become TimescaleDB hypertables when the extension is there: the append-only ones, by their time column. */
const HYPERTABLES: ReadonlyArray<[table: string, column: string]> = [
  ['audit_entries', 'at'],
  ['forecasts', 'generated_at'],
];

export interface MigrationResult {
  /** The files applied now. */
  applied: string[];
  /** Whether the append-only tables are TimescaleDB hypertables. */
  timescale: boolean;
}

/**
 * Applies the migrations this database has not had, each in its own transaction with its record
 * in `schema_migrations`, under an advisory lock so that replicas starting together do not race.
 * Then, when the TimescaleDB extension is available, turns the append-only tables into
 * hypertables (idempotent); without it they stay plain tables, which is all the queries need.
 */
export async function migrate(pool: Pool, directory = MIGRATIONS_PATH): Promise<MigrationResult> {
  const files = readdirSync(directory).filter((name) => /^\d+_.*\.sql$/.test(name)).sort();
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((row) => row.name));
    const applied: string[] = [];
    for (const file of files.filter((name) => !done.has(name))) {
      await client.query('BEGIN');
      try {
        await client.query(readFileSync(`${directory}/${file}`, 'utf8'));
        await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${file} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(file);
    }
    const available = (await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'")).rowCount === 1;
    if (available) {
      await client.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
      for (const [table, column] of HYPERTABLES) await client.query(`SELECT create_hypertable('${table}', '${column}', if_not_exists => TRUE, migrate_data => TRUE)`);
    }
    return { applied, timescale: available };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}
