import pg from 'pg';

/** Where the benchmarks make their throwaway databases: DATABASE_URL, or the server on 127.0.0.1:5432. */
export const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh database for one benchmark run, and how to drop it afterwards. */
export async function benchDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `hub_bench_${prefix}_${Date.now()}`;
  const run = async (sql: string): Promise<void> => {
    const c = new pg.Client({ connectionString: ADMIN_URL });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
