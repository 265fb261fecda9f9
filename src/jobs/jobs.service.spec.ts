import { createRequire } from 'node:module';
import { answerWhenClosed } from './jobs.service.js';

const require = createRequire(import.meta.url);
// pg-boss's own statement texts, as it sends them
const plans = require('pg-boss/src/plans.js') as Record<string, (schema: string, options?: object) => string>;

describe('pg-boss statements after the pool closed', () => {
  it('answers its job commands "nothing affected", in the shape it reads', () => {
    for (const name of ['completeJobs', 'failJobsById', 'failJobsByTimeout', 'cancelJobs', 'resumeJobs', 'retryJobs', 'deleteJobs']) {
      expect({ name, answer: answerWhenClosed(plans[name]('pgboss')) }).toEqual({ name, answer: { rows: [{ count: 0 }] } });
    }
  });

  it('answers any other statement with no rows (no job fetched, nothing found)', () => {
    expect(answerWhenClosed(plans.fetchNextJob('pgboss', {}))).toEqual({ rows: [] });
    expect(answerWhenClosed('SELECT 1')).toEqual({ rows: [] });
  });
});
