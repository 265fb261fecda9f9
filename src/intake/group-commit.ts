/**
 * Group commit for single submissions (a QR rating, an entered slip, a forwarded order): while a statement is in
 * flight, the submissions that arrive wait and then go together in one multi-row statement and one commit. Nobody
 * waits on a timer: at low load every submission goes at once on its own; under load the batch is whatever arrived
 * while the previous statement ran, so the database pays one parse, one plan and one WAL flush for many rows.
 * Each caller still gets its own answer only after its row is committed.
 *
 * Two submissions with the same key (channel + external id: a double tap) never share a batch, so each batch can
 * use ON CONFLICT per row and the second one finds the first.
 */
export type GroupAnswer<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Waiting<T, R> {
  input: T;
  key: string;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export class GroupCommit<T, R> {
  private readonly queue: Waiting<T, R>[] = [];
  private inFlight = 0;

  /**
   * @param write  writes a batch and answers each input in order (a failure of one row as its own answer)
   * @param keyOf  inputs with the same key go in different batches, in arrival order
   */
  constructor(
    private readonly write: (batch: T[]) => Promise<GroupAnswer<R>[]>,
    private readonly keyOf: (input: T) => string,
    private readonly limits: { maxBatch: number; maxInFlight: number },
  ) {}

  submit(input: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ input, key: this.keyOf(input), resolve, reject });
      this.pump();
    });
  }

  get waiting(): number {
    return this.queue.length;
  }

  private pump(): void {
    while (this.inFlight < this.limits.maxInFlight && this.queue.length) {
      const batch = this.take();
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  /** The next batch: oldest first, at most maxBatch, a key at most once (a later same-key input stays queued). */
  private take(): Waiting<T, R>[] {
    const batch: Waiting<T, R>[] = [];
    const keys = new Set<string>();
    for (let i = 0; i < this.queue.length && batch.length < this.limits.maxBatch; ) {
      const w = this.queue[i];
      if (keys.has(w.key)) {
        i++;
        continue;
      }
      keys.add(w.key);
      batch.push(w);
      this.queue.splice(i, 1);
    }
    return batch;
  }

  private async run(batch: Waiting<T, R>[]): Promise<void> {
    let answers: GroupAnswer<R>[];
    try {
      answers = await this.write(batch.map((w) => w.input));
    } catch (error) {
      answers = batch.map(() => ({ ok: false, error }));
    }
    batch.forEach((w, i) => {
      const a = answers[i] ?? { ok: false, error: new Error('group commit: no answer for this row') };
      if (a.ok) w.resolve(a.value);
      else w.reject(a.error);
    });
  }
}
