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
  readonly sealed: { readonly table: 0 | 1; readonly upToSeq: number } | null;
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
  // Merged segments stay under 400k rows: a day under 250k rows still ends up as one segment (the query
  // engine is measured on ~110k-row days), while at full ingest rate merges stop at ~400k rows. Merging up
  // to 1M rows held ~130 MB more at the peak while ingesting 10M events (798 → 669 MB).
  smallRows: 250_000,
  mergeCount: 4,
  maxRows: 400_000,
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
    if (!isCurrent(db, plan)) return false;
    for (const s of plan.segments) {
      const id = insertSegment(db, s, now, 0);
      for (const [name, data] of s.columns) insertColumn(db, id, name, data);
      insertHashes(db, id, s.hashes);
    }
    publish(db, plan, []);
    return true;
  })();
}

/** STAGE_BYTES is about how much column data one staging transaction writes (~2 ms of the writer's thread). */
const STAGE_BYTES = 1 << 20;

/**
 * applyCompactionStaged writes a plan the way applyCompaction does, but in short transactions: each
 * segment's row and then its columns about a megabyte at a time, invisible to readers (`staged = 1`),
 * with `pause()` between them so the writer's group commits go on; then one short transaction checks the
 * plan is still current and makes the segments visible, drops what they replace and empties the sealed
 * tail. A crash in between leaves only staged rows, deleted at the next start (dropStaged).
 */
export async function applyCompactionStaged(
  db: Database,
  plan: CompactionPlan,
  pause: () => Promise<void>,
  now = Date.now(),
): Promise<boolean> {
  const ids: number[] = [];
  try {
    for (const s of plan.segments) {
      const id = insertSegment(db, s, now, 1);
      ids.push(id);
      for (let i = 0; i < s.columns.length; ) {
        await pause();
        const from = i;
        let bytes = s.columns[i++]![1].byteLength;
        while (i < s.columns.length && bytes + s.columns[i]![1].byteLength <= STAGE_BYTES) bytes += s.columns[i++]![1].byteLength;
        db.transaction(() => {
          for (const [name, data] of s.columns.slice(from, i)) insertColumn(db, id, name, data);
        })();
      }
      // Dedup blocks (8 bytes per row in blocks of ≤ 512 bytes) go in ~1 MB steps too.
      for (let i = 0; i < s.hashes.length; i += STAGE_BYTES / 512) {
        await pause();
        db.transaction(() => insertHashes(db, id, s.hashes.slice(i, i + STAGE_BYTES / 512)))();
      }
    }
    await pause();
    const ok = db.transaction(() => {
      if (!isCurrent(db, plan)) return false;
      publish(db, plan, ids);
      return true;
    })();
    if (!ok) dropStaged(db);
    return ok;
  } catch (err) {
    dropStaged(db);
    throw err;
  }
}

/** dropStaged deletes segments left half-written (a failed or interrupted staged apply). */
export function dropStaged(db: Database): void {
  db.query("DELETE FROM segments WHERE staged = 1").run();
}

/** insertSegment writes a segment's row (its columns go in with insertColumn). */
function insertSegment(db: Database, s: BuiltSegment, now: number, staged: 0 | 1): number {
  const bytes = s.columns.reduce((sum, [, b]) => sum + b.byteLength, 0);
  return db
    .query<{ id: number }, [number, number, number, number, string, number, number, number]>(
      "INSERT INTO segments (day, rows, min_ts, max_ts, directory, bytes, created_at, staged) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .get(s.day, s.rows, s.minTs, s.maxTs, JSON.stringify(s.directory), bytes, now, staged)!.id;
}

function insertColumn(db: Database, segment: number, name: string, data: Uint8Array): void {
  db.query("INSERT INTO segment_columns (segment_id, name, data) VALUES (?, ?, ?)").run(segment, name, data);
}

/** insertHashes writes a segment's dedup blocks (dedup.ts). */
function insertHashes(db: Database, segment: number, blocks: readonly [number, Uint8Array][]): void {
  const insert = db.query("INSERT INTO segment_hashes (block, segment_id, keys) VALUES (?, ?, ?)");
  for (const [block, keys] of blocks) insert.run(block, segment, keys);
}

/** isCurrent: no deletion bumped the epoch since the plan was made and every segment it replaces is still live. */
function isCurrent(db: Database, plan: CompactionPlan): boolean {
  const epoch = db.query<{ value: number }, []>("SELECT value FROM store_state WHERE key = 'epoch'").get()!.value;
  if (epoch !== plan.epoch) return false;
  const live = db.query<{ n: number }, [number]>("SELECT count(*) AS n FROM segments WHERE id = ? AND staged = 0");
  return plan.replaces.every((id) => live.get(id)!.n > 0);
}

/**
 * publish makes a current plan's segments visible inside the caller's transaction: the staged ones lose
 * their flag, the replaced ones and the sealed tail's rows go, and readers see a new version.
 */
function publish(db: Database, plan: CompactionPlan, staged: readonly number[]): void {
  const show = db.query("UPDATE segments SET staged = 0 WHERE id = ?");
  for (const id of staged) show.run(id);
  const drop = db.query("DELETE FROM segments WHERE id = ?");
  for (const id of plan.replaces) drop.run(id);
  if (plan.sealed) {
    db.exec(`DELETE FROM events_tail_${plan.sealed.table}`);
    db.query("UPDATE store_state SET value = max(value, ?) WHERE key = 'compacted_seq'").run(plan.sealed.upToSeq);
  }
  db.query("UPDATE store_state SET value = value + 1 WHERE key = 'version'").run();
}
