/**
 * The baseline for the QR benchmark: a bare node:http server that inserts the same row into the same table, with
 * nothing else — no framework, no token or nonce check, no rate limit, no classification, no timeline.
 */
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_MAX ?? 10) });
const port = Number(process.env.PORT);
const [{ window_id, unit_id }] = (
  await pool.query(`SELECT w.id AS window_id, w.unit_id FROM service_window w WHERE w.code = 'W-A01'`)
).rows;

createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c));
  req.on('end', () => {
    const f = new URLSearchParams(body);
    pool
      .query(
        `INSERT INTO item (channel, external_id, received_at, text, rating, tags, window_id, raw, unit_id, routing_reason, routing_rule, status, tracking_code)
         VALUES ('qr', $1, now(), $2, $3, $4, $5, $6::jsonb, $7, 'baseline', 'window', 'assigned', $8)`,
        [`nonce:${f.get('nonce')}`, f.get('comment') ?? '', Number(f.get('rating')), f.getAll('tags'), window_id, JSON.stringify(Object.fromEntries(f)), unit_id, randomBytes(9).toString('base64url')],
      )
      .then(() => {
        res.writeHead(201, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<p>ok</p>');
      })
      .catch((e: Error) => {
        res.writeHead(500);
        res.end(e.message);
      });
  });
}).listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
