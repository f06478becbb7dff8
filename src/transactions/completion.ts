/**
 * Completing a prepared transaction: its markers go to every partition and its outcome to every
 * group, then the Complete state is written. Kafka's coordinator answers EndTxn once the prepare is
 * written and sends markers behind it; here EndTxn also waits for the first attempt at the markers
 * (they are local appends), so a committed transaction is readable when commitTransaction() returns.
 * Failures are retried with backoff until done; requests meanwhile get CONCURRENT_TRANSACTIONS.
 */
import type { Logger } from 'pino';
import type { Clock, Timers } from '../groups/time.js';
import type { TxnEntry } from './decisions.js';
import { complete } from './transitions.js';
import type { TxnLog } from './txn-log.js';
import type { MarkerJob } from './types.js';

export interface MarkerWriter {
  /**
   * Writes the job's marker to each of its partitions and its outcome to each of its groups. Resolves
   * with what is left to do after failures worth retrying, or undefined once everything is written.
   */
  write(job: MarkerJob): Promise<MarkerJob | undefined>;
}

const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

export class Completion {
  private readonly running = new Set<Promise<void>>();
  private readonly sleepers = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly markers: MarkerWriter,
    private readonly txnLog: TxnLog,
    private readonly clock: Clock,
    private readonly timers: Timers,
    private readonly log: Logger,
  ) {}

  /** Starts completing the entry's prepared transaction; resolves after the first attempt. */
  start(entry: TxnEntry): Promise<void> {
    let firstAttempt!: () => void;
    const attempted = new Promise<void>((resolve) => (firstAttempt = resolve));
    const run = this.run(entry, firstAttempt)
      .catch((err: unknown) =>
        this.log.error(
          { err, transactionalId: entry.metadata.transactionalId },
          'completing transaction failed',
        ),
      )
      .finally(() => {
        firstAttempt();
        this.running.delete(run);
      });
    this.running.add(run);
    return attempted;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.sleepers) wake();
    await Promise.all([...this.running]);
  }

  private async run(entry: TxnEntry, firstAttempt: () => void): Promise<void> {
    const m = entry.metadata;
    if (m.state !== 'PrepareCommit' && m.state !== 'PrepareAbort') {
      throw new Error(`cannot complete transaction of ${m.transactionalId} in state ${m.state}`);
    }
    entry.pending = m.state === 'PrepareCommit' ? 'CompleteCommit' : 'CompleteAbort';
    let job: MarkerJob | undefined = {
      transactionalId: m.transactionalId,
      producerId: m.producerId,
      producerEpoch: m.producerEpoch,
      result: m.state === 'PrepareCommit' ? 'commit' : 'abort',
      partitions: m.partitions,
      groups: m.groups,
    };
    let backoff = FIRST_BACKOFF_MS;
    for (;;) {
      job = await this.markers.write(job);
      if (job === undefined) break;
      this.log.warn(
        { transactionalId: m.transactionalId, partitions: job.partitions, groups: job.groups },
        'transaction markers not written yet; retrying',
      );
      firstAttempt();
      if (!(await this.sleep(backoff))) return;
      backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
    }
    for (;;) {
      const next = complete(m, this.clock.now());
      try {
        await this.txnLog.put(next);
        entry.metadata = next;
        entry.pending = undefined;
        return;
      } catch (err) {
        this.log.warn(
          { err, transactionalId: m.transactionalId },
          'failed to write completed transaction; retrying',
        );
      }
      firstAttempt();
      if (!(await this.sleep(backoff))) return;
      backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
    }
  }

  /** Waits `ms`; false when the coordinator closed meanwhile (a later load resumes the work). */
  private sleep(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = (): void => {
        this.sleepers.delete(wake);
        cancel();
        resolve(!this.closed);
      };
      const cancel = this.timers.schedule(ms, wake);
      this.sleepers.add(wake);
    });
  }
}
