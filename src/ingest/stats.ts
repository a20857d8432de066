/**
 * Ingest counters per source per minute: received, accepted, and rejected/dropped by reason (SPEC §3, the
 * source page's "received / stored / rejected by reason" for the last 24 h). Counting is a Map increment per
 * request; a timer flushes to `ingest_stats` (migration 0020) in one short synchronous transaction, which
 * cannot interleave with the store's group commit on the same writer connection.
 */
import type { Database } from "bun:sqlite";
import { jsonPreview } from "./json.ts";
import { DROP_REASONS, type DropReason } from "./steps/step.ts";

/** Outcome is one counted column of the source page. */
export type Outcome = "received" | "accepted" | DropReason;

/** MinuteStats is one minute of one source as the source page shows it. */
export interface MinuteStats {
  readonly minute: number;
  readonly received: number;
  readonly accepted: number;
  readonly dropped: Partial<Record<DropReason, number>>;
}

/**
 * RejectionSample is one refused item as the source page shows it, so whoever wires an SDK sees why: browser
 * SDKs send and forget, and the 400 that names the field reaches nobody. Kept in memory only, newest 50 per
 * source; `sample` is the start of the item as sent (null when the request itself could not be read).
 */
export interface RejectionSample {
  readonly at: number;
  readonly route: string;
  readonly error: string;
  readonly sample: string | null;
}

const SAMPLES = 50;
const SAMPLE_CHARS = 500;

/** RETENTION_MS: counters older than this are pruned (the page shows 24 h; a week allows comparisons). */
const RETENTION_MS = 7 * 24 * 3600 * 1000;

const minuteOf = (ms: number) => Math.floor(ms / 60_000);

/** IngestStats accumulates counters in memory until `flush`. */
export class IngestStats {
  private pending = new Map<string, number>();
  private lastPrune = 0;
  private readonly rejections = new Map<number, RejectionSample[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** add counts `n` items of `outcome` for a source in the current minute. */
  add(sourceId: number, outcome: Outcome, n = 1): void {
    if (n <= 0) return;
    const key = `${sourceId}|${minuteOf(this.now())}|${outcome}`;
    this.pending.set(key, (this.pending.get(key) ?? 0) + n);
  }

  /** addDrops counts every reason of a pipeline result. */
  addDrops(sourceId: number, drops: Partial<Record<DropReason, number>>): void {
    for (const r of DROP_REASONS) {
      const n = drops[r];
      if (n) this.add(sourceId, r, n);
    }
  }

  /** reject keeps a sample of a refused item (or request, when `raw` is undefined) for the source page. */
  reject(sourceId: number, route: string, error: string, raw?: unknown): void {
    let list = this.rejections.get(sourceId);
    if (!list) this.rejections.set(sourceId, (list = []));
    list.push({ at: this.now(), route, error, sample: raw === undefined ? null : jsonPreview(raw, SAMPLE_CHARS) });
    if (list.length > SAMPLES) list.splice(0, list.length - SAMPLES);
  }

  /** recentRejections lists a source's kept samples, newest first. */
  recentRejections(sourceId: number): RejectionSample[] {
    return [...(this.rejections.get(sourceId) ?? [])].reverse();
  }

  /** pendingRows lists what the next flush would write (also merged into `lastDay` so the page is live). */
  pendingRows(): { sourceId: number; minute: number; outcome: Outcome; count: number }[] {
    return [...this.pending].map(([key, count]) => {
      const [s, m, o] = key.split("|");
      return { sourceId: Number(s), minute: Number(m), outcome: o as Outcome, count };
    });
  }

  /** flush adds the pending counters to the table and prunes old minutes at most hourly; returns rows written. */
  flush(db: Database): number {
    const rows = this.pendingRows();
    const now = this.now();
    const prune = now - this.lastPrune > 3600_000;
    if (rows.length === 0 && !prune) return 0;
    const upsert = db.query(
      `INSERT INTO ingest_stats (source_id, minute, outcome, count) VALUES (?1, ?2, ?3, ?4)
       ON CONFLICT (source_id, minute, outcome) DO UPDATE SET count = count + excluded.count`,
    );
    db.transaction(() => {
      for (const r of rows) upsert.run(r.sourceId, r.minute, r.outcome, r.count);
      if (prune) db.query("DELETE FROM ingest_stats WHERE minute < ?1").run(minuteOf(now - RETENTION_MS));
    })();
    // Cleared only after the commit: a failed flush keeps its counts for the next one (the call is synchronous,
    // so nothing was added in between).
    this.pending.clear();
    if (prune) this.lastPrune = now;
    return rows.length;
  }

  /**
   * startFlushing flushes every `intervalMs` (unref'd: it never keeps the process alive); returns a stop
   * function that flushes once more. A failed flush, the last one too, goes to `onError` and never throws:
   * counters must not hide the error that made the caller stop (an import stopped by a full disk).
   */
  startFlushing(db: Database, intervalMs = 10_000, onError: (err: unknown) => void = console.error): () => void {
    const flush = () => {
      try {
        this.flush(db);
      } catch (err) {
        onError(err);
      }
    };
    const timer = setInterval(flush, intervalMs);
    timer.unref?.();
    return () => {
      clearInterval(timer);
      flush();
    };
  }

  /** lastDay returns one source's minutes over the last 24 h, oldest first, including unflushed counts. */
  lastDay(db: Database, sourceId: number): MinuteStats[] {
    const since = minuteOf(this.now() - 24 * 3600 * 1000);
    const rows = db
      .query<{ minute: number; outcome: string; count: number }, [number, number]>(
        "SELECT minute, outcome, count FROM ingest_stats WHERE source_id = ?1 AND minute >= ?2",
      )
      .all(sourceId, since);
    const byMinute = new Map<number, { received: number; accepted: number; dropped: Partial<Record<DropReason, number>> }>();
    const put = (minute: number, outcome: string, count: number) => {
      let m = byMinute.get(minute);
      if (!m) byMinute.set(minute, (m = { received: 0, accepted: 0, dropped: {} }));
      if (outcome === "received") m.received += count;
      else if (outcome === "accepted") m.accepted += count;
      else if ((DROP_REASONS as readonly string[]).includes(outcome)) {
        const r = outcome as DropReason;
        m.dropped[r] = (m.dropped[r] ?? 0) + count;
      }
    };
    for (const r of rows) put(r.minute, r.outcome, r.count);
    for (const r of this.pendingRows()) if (r.sourceId === sourceId && r.minute >= since) put(r.minute, r.outcome, r.count);
    return [...byMinute].sort((a, b) => a[0] - b[0]).map(([minute, m]) => ({ minute, ...m }));
  }
}
