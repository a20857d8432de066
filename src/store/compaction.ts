/**
 * Compaction moves tail rows into columnar segments and merges small segments of the same UTC day.
 * Planning (parse, sort, encode, compress) runs off the writer, on a reader snapshot; applying is one
 * short writer transaction that refuses plans made stale by a concurrent merge or a person deletion.
 */
import type { Database } from "bun:sqlite";
import type { StoreReader } from "./reader.ts";
import { buildSegment, DAY_MS, type BuiltSegment, type TailRow } from "./segment.ts";
import { mergeSegments, type SegmentInput } from "./segment-merge.ts";

/** CompactionPlan is what a planner hands to the writer. */
export interface CompactionPlan {
  readonly epoch: number;
  /** The sealed tail table whose rows (all with seq <= upToSeq) are now in `segments`, or null. */
  readonly sealed: { readonly table: number; readonly upToSeq: number } | null;
  readonly segments: BuiltSegment[];
  /** Segments the new ones replace. */
  readonly replaces: number[];
}

export interface CompactionOptions {
  /** Seal the active tail when it holds at least this many rows… */
  readonly minRows: number;
  /** …or when the last seal is at least this old. */
  readonly maxAgeMs: number;
  /** Segments below this many rows are merged… */
  readonly smallRows: number;
  /** …once a day has this many of them (log-structured: a trickle of events does not rewrite a day each cycle). */
  readonly mergeCount: number;
  /** No merged segment exceeds this many rows. */
  readonly maxRows: number;
}

export const DEFAULT_COMPACTION: CompactionOptions = {
  minRows: 50_000,
  maxAgeMs: 3_000,
  smallRows: 250_000,
  mergeCount: 4,
  maxRows: 1_000_000,
};

/**
 * planCompaction builds segments from the sealed tail rows (seq <= sealed.upToSeq) and merges small
 * segments; call inside `reader.read()`.
 */
export function planCompaction(
  reader: StoreReader,
  opts: CompactionOptions,
  sealed: CompactionPlan["sealed"],
): CompactionPlan | null {
  const byDay = new Map<number, TailRow[]>();
  for (const r of reader.tailRows) {
    if (!sealed || r.seq > sealed.upToSeq) continue;
    const day = Math.floor(r.ts / DAY_MS);
    let list = byDay.get(day);
    if (!list) byDay.set(day, (list = []));
    list.push(r);
  }
  const smallByDay = new Map<number, number[]>();
  for (const seg of reader.segments.values()) {
    if (seg.rows >= opts.smallRows) continue;
    let list = smallByDay.get(seg.day);
    if (!list) smallByDay.set(seg.day, (list = []));
    list.push(seg.id);
  }
  const segments: BuiltSegment[] = [];
  const replaces: number[] = [];
  const days = new Set([...byDay.keys(), ...smallByDay.keys()]);
  for (const day of [...days].sort((a, b) => a - b)) {
    const tailRows = byDay.get(day);
    const fresh = tailRows ? buildSegment(day, tailRows) : null;
    const small = smallByDay.get(day) ?? [];
    if (small.length + (fresh ? 1 : 0) < opts.mergeCount) {
      if (fresh) segments.push(fresh);
      continue;
    }
    const inputs: SegmentInput[] = [];
    let rows = 0;
    if (fresh) {
      inputs.push({ directory: fresh.directory, columns: new Map(fresh.columns) });
      rows = fresh.rows;
    }
    for (const id of small) {
      const seg = reader.segments.get(id)!;
      if (rows + seg.rows > opts.maxRows) continue;
      inputs.push({ directory: seg.directory, columns: reader.columnBlobs(id) });
      replaces.push(id);
      rows += seg.rows;
    }
    if (inputs.length > 1) segments.push(mergeSegments(day, inputs));
    else if (fresh) segments.push(fresh);
    else replaces.pop();
  }
  if (segments.length === 0 && !sealed) return null;
  return { epoch: reader.epoch, sealed, segments, replaces };
}

/** applyCompaction writes a plan in one transaction; false when the plan went stale meanwhile. */
export function applyCompaction(db: Database, plan: CompactionPlan, now = Date.now()): boolean {
  return db.transaction(() => {
    const epoch = db.query<{ value: number }, []>("SELECT value FROM store_state WHERE key = 'epoch'").get()!.value;
    if (epoch !== plan.epoch) return false;
    const exists = db.query<{ n: number }, [number]>("SELECT count(*) AS n FROM segments WHERE id = ?");
    if (plan.replaces.some((id) => exists.get(id)!.n === 0)) return false;
    const insertSeg = db.query<{ id: number }, [number, number, number, number, string, number, number]>(
      "INSERT INTO segments (day, rows, min_ts, max_ts, directory, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    );
    const insertCol = db.query("INSERT INTO segment_columns (segment_id, name, data) VALUES (?, ?, ?)");
    for (const s of plan.segments) {
      const bytes = s.columns.reduce((sum, [, b]) => sum + b.byteLength, 0);
      const { id } = insertSeg.get(s.day, s.rows, s.minTs, s.maxTs, JSON.stringify(s.directory), bytes, now)!;
      for (const [name, data] of s.columns) insertCol.run(id, name, data);
    }
    const drop = db.query("DELETE FROM segments WHERE id = ?");
    for (const id of plan.replaces) drop.run(id);
    if (plan.sealed) {
      db.exec(`DELETE FROM events_tail_${plan.sealed.table}`);
      db.query("UPDATE store_state SET value = max(value, ?) WHERE key = 'compacted_seq'").run(plan.sealed.upToSeq);
    }
    db.query("UPDATE store_state SET value = value + 1 WHERE key = 'version'").run();
    return true;
  })();
}
