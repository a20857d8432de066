/**
 * Purge: deleting every stored event of some identities (a person's privacy deletion, SPEC §4). The tail is
 * cleaned in place on the writer and the deletion epoch is bumped, so a compaction plan built from the old
 * tail is refused; segments are immutable, so the read side rebuilds only the segments that hold one of the
 * identities and the writer swaps them in with `applyCompaction`, which refuses the swap if a concurrent
 * merge replaced one of them first (the caller plans again).
 */
import type { Database } from "bun:sqlite";
import { insertRun, type CompactionPlan } from "./compaction.ts";
import { hashRun } from "./dedup.ts";
import type { StoreReader } from "./reader.ts";
import { buildSegment, COL, segmentRows, type BuiltSegment } from "./segment.ts";
import { PACK_COLUMNS, PackBuilder, PackView, type PackRow } from "./tail-pack.ts";

/**
 * purgeTail deletes the identities' tail rows and bumps the epoch; call inside the writer's transaction.
 * Their message hashes become a dedup run, as compacted events' hashes are: a re-sent message of a
 * deleted event stays a duplicate wherever the event was when it was deleted.
 */
export function purgeTail(db: Database, identities: readonly number[]): number {
  const drop = new Set(identities);
  const hi: number[] = [];
  const lo: number[] = [];
  let deleted = 0;
  for (const t of [0, 1]) {
    // Packs holding an identity are rewritten without its events (tail-pack.ts); the others are left alone.
    const changed: [PackRow, PackView, number[]][] = [];
    for (const p of db.query<PackRow, []>(`SELECT seq, n, cols, props FROM events_tail_${t}`).iterate()) {
      const v = new PackView(p);
      const keep: number[] = [];
      for (let i = 0; i < v.n; i++) {
        if (!drop.has(v.identity[i]!)) keep.push(i);
        else {
          hi.push(v.hi[i]!);
          lo.push(v.lo[i]!);
        }
      }
      if (keep.length < v.n) changed.push([p, v, keep]);
    }
    const del = db.query(`DELETE FROM events_tail_${t} WHERE seq = ?`);
    const ins = db.query(`INSERT INTO events_tail_${t} ${PACK_COLUMNS} VALUES (?, ?, ?, ?)`);
    for (const [p, v, keep] of changed) {
      del.run(p.seq);
      deleted += p.n - keep.length;
      if (keep.length === 0) continue;
      const props = JSON.parse(p.props) as unknown[];
      const b = new PackBuilder();
      for (const i of keep) b.add(v.seq(i), v.ts[i]!, v.event[i]!, v.identity[i]!, v.source[i]!, v.hi[i]!, v.lo[i]!, v.receivedAt[i]!, props[i]);
      const packed = b.take();
      ins.run(packed.seq, packed.n, packed.cols, packed.props);
    }
  }
  if (hi.length > 0) insertRun(db, hashRun(hi, lo), 0);
  db.query("UPDATE store_state SET value = value + 1 WHERE key = 'epoch'").run();
  return deleted;
}

/** sortedIds makes a binary-searchable set of identity ids. */
function sortedIds(identities: readonly number[]): Uint32Array {
  return Uint32Array.from(new Set(identities)).sort();
}

/** firstAtLeast is the first index in [lo, hi) of a sorted column whose value is >= v. */
export function firstAtLeast(col: Uint32Array, v: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (col[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * segmentHolds tells whether a segment has rows of the identities: rows are sorted by (event, identity, ts),
 * so each event range is binary-searched instead of scanning the column.
 */
export function segmentHolds(reader: StoreReader, segment: number, ids: Uint32Array): boolean {
  const seg = reader.segments.get(segment)!;
  const identity = reader.column(segment, COL.identity);
  for (const [start, count] of Object.values(seg.directory.events)) {
    for (const id of ids) {
      const at = firstAtLeast(identity, id, start, start + count);
      if (at < start + count && identity[at] === id) return true;
    }
  }
  return false;
}

/** PurgePlan is a compaction plan that only replaces segments, and how many rows it drops. */
export interface PurgePlan {
  readonly plan: CompactionPlan;
  readonly rows: number;
}

/** planPurge rebuilds, without the identities' rows, every segment that holds some; call inside `reader.read()`. */
export function planPurge(reader: StoreReader, identities: readonly number[]): PurgePlan {
  const ids = sortedIds(identities);
  const drop = new Set(ids);
  const segments: BuiltSegment[] = [];
  const replaces: number[] = [];
  let rows = 0;
  for (const seg of reader.segments.values()) {
    if (!segmentHolds(reader, seg.id, ids)) continue;
    const kept = segmentRows(seg.day, seg.directory, reader.segmentColumns(seg.id)).filter((r) => !drop.has(r.identity));
    if (kept.length > 0) segments.push(buildSegment(seg.day, kept));
    replaces.push(seg.id);
    rows += seg.rows - kept.length;
  }
  return { plan: { epoch: reader.epoch, sealed: null, segments, replaces, runs: [], replacesRuns: [] }, rows };
}
