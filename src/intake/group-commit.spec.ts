import { GroupCommit, type GroupAnswer } from './group-commit.js';

/** The batching rules on their own: who waits, who shares a statement, who fails alone. */
describe('GroupCommit', () => {
  const deferred = () => {
    let release!: () => void;
    const p = new Promise<void>((r) => (release = r));
    return { p, release };
  };

  it('writes the first at once and what arrives meanwhile together, a key never twice in one batch', async () => {
    const batches: string[][] = [];
    const gate = deferred();
    const g = new GroupCommit<string, string>(
      async (batch) => {
        batches.push(batch);
        if (batches.length === 1) await gate.p;
        return batch.map((x): GroupAnswer<string> => ({ ok: true, value: x.toUpperCase() }));
      },
      (x) => x.split(':')[0],
      { maxBatch: 3, maxInFlight: 1 },
    );
    const first = g.submit('a:1');
    const rest = ['b:1', 'c:1', 'b:2', 'd:1', 'e:1'].map((x) => g.submit(x));
    expect(batches).toEqual([['a:1']]);
    expect(g.waiting).toBe(5);
    gate.release();
    expect(await Promise.all([first, ...rest])).toEqual(['A:1', 'B:1', 'C:1', 'B:2', 'D:1', 'E:1']);
    // b:2 waits for the batch after b:1's; the batch is capped at 3
    expect(batches).toEqual([['a:1'], ['b:1', 'c:1', 'd:1'], ['b:2', 'e:1']]);
  });

  it('fails a row alone, and a thrown write fails its batch only', async () => {
    const g = new GroupCommit<number, number>(
      async (batch) => {
        if (batch.includes(13)) throw new Error('statement failed');
        return batch.map((x): GroupAnswer<number> => (x < 0 ? { ok: false, error: new Error(`bad ${x}`) } : { ok: true, value: x * 2 }));
      },
      String,
      { maxBatch: 10, maxInFlight: 2 },
    );
    const r = await Promise.allSettled([g.submit(1), g.submit(-1), g.submit(2)]);
    expect(r.map((x) => x.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    await expect(g.submit(13)).rejects.toThrow('statement failed');
    await expect(g.submit(4)).resolves.toBe(8);
  });
});
