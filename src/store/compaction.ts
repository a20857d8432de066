/**
 * Compaction moves tail rows into columnar segments and merges small segments of the same UTC day; it
 * also writes the tail's message hashes as a dedup run and merges small runs (dedup.ts).
 * Planning (parse, sort, encode, compress) runs off the writer, on a reader snapshot; applying is one
 * short writer transaction that refuses plans made stale by a concurrent merge or a person deletion.
 */
import { edenGC } from "bun:jsc";
import type { Database } from "bun:sqlite";
import { blocksOf, buildRun, hashRun, mergeRuns, type BuiltRun } from "./dedup.ts";
import type { StoreReader } from "./reader.ts";
import { DAY_MS, SegmentBuilder, type BuiltSegment } from "./segment.ts";
import { PackView } from "./tail-pack.ts";
import { mergeSegments, type SegmentInput } from "./segment-merge.ts";

/** Sealed names the sealed tail table and the highest seq in it (EventStore.seal). */
export interface Sealed {
  readonly table: 0 | 1;
  readonly upToSeq: number;
}

/** CompactionPlan is what a planner hands to the writer. */
export interface CompactionPlan {
  readonly epoch: number;
  /**
   * The sealed tail table whose rows with seq <= upToSeq are now in `segments`, or null; `drained` when
   * that is all of them (else the next plan goes on from upToSeq, see maxPlanRows).
   */
  readonly sealed: (Sealed & { readonly drained: boolean }) | null;
  readonly segments: BuiltSegment[];
  /** Segments the new ones replace. */
  readonly replaces: number[];
  /** Dedup runs to write: the sealed tail's hashes, and a merge of small runs (dedup.ts). */
  readonly runs: BuiltRun[];
  /** Runs the merged one replaces. */
  readonly replacesRuns: number[];
}

export interface CompactionOptions {
  /** Seal the active tail when it holds at least this many rows… */
  readonly minRows: number;
  /** …or when the last seal is at least this old. */
  readonly maxAgeMs: number;
  /** A plan takes at most about this many rows of the sealed tail (whole packs); the next plan takes the rest. */
  readonly maxPlanRows: number;
  /** Segments below this many rows are merged… */
  readonly smallRows: number;
  /** …once a day has this many of them (log-structured: a trickle of events does not rewrite a day each cycle). */
  readonly mergeCount: number;
  /** No merged segment exceeds this many rows. */
  readonly maxRows: number;
  /** Dedup runs below maxRunHashes are merged, smallest first, while there are more than this many… */
  readonly maxRuns: number;
  /** …and a merge stops taking runs at this many hashes (16 MB of the store worker's memory while merging). */
  readonly maxRunHashes: number;
}

export const DEFAULT_COMPACTION: CompactionOptions = {
  // What a plan of the tail holds in the store worker grows with its rows: +13 MB of RSS on average at 64k
  // rows (up to +24), +8.5 MB at 32k. A cycle that applies a large merge takes a few seconds at full
  // ingest rate, and the tail sealed after it held 200–250k rows: planned at once, with a merge on top, that
  // made transients of up to ~90 MB, the process's RSS peaks at 10M events.
  minRows: 32_000,
  maxAgeMs: 3_000,
  maxPlanRows: 32_000,
  // Merged segments stay under 250k rows: a day under 250k rows ends up as one segment or a few (the query
  // engine is measured on ~110k-row days). Merging up to 1M rows held ~130 MB more at the peak while
  // ingesting 10M events (798 → 669 MB); merges of up to 400k rows were then the store worker's largest
  // transients (+22 MB on average, up to +37; at 250k, +17.5 and up to +26).
  smallRows: 250_000,
  mergeCount: 4,
  maxRows: 250_000,
  // Each exact dedup check reads one block per run, a page read from the OS cache each (~5 µs): with up to
  // 24 runs a check took ~225 µs at 10M events. With 8, each hash is rewritten about three times
  // (32k → 256k → 2M), ~24 bytes per event written in staged steps.
  maxRuns: 8,
  maxRunHashes: 1 << 21,
};

/**
 * planCompaction builds segments and a dedup run from the sealed tail's rows (seq <= sealed.upToSeq, at
 * most about maxPlanRows of them); without a sealed tail it merges small segments, or else small dedup
 * runs. Call inside `reader.read()`. Each plan does one of these: a tail, a merge of 400k rows and a run
 * merge of 2M hashes in one plan added up to the store worker's largest transients (+70–90 MB).
 */
export function planCompaction(reader: StoreReader, opts: CompactionOptions, sealed: Sealed | null): CompactionPlan | null {
  const byDay = new Map<number, SegmentBuilder>();
  let upTo = sealed?.upToSeq ?? 0;
  // A pack at a time into column builders: holding the sealed tail as row objects made the RSS peaks.
  if (sealed) {
    let packs = 0;
    let rows = 0;
    for (const pack of reader.tailPacks(reader.compactedSeq, sealed.upToSeq)) {
      // Each pack's properties string and parsed objects are garbage once added: collected every 4 packs
      // (every 16, a 32k-row plan grew the worker's RSS by 11.9 MB on average instead of 8.6).
      if (++packs % 4 === 0) edenGC();
      const v = new PackView(pack);
      const props = JSON.parse(pack.props) as Record<string, unknown>[];
      for (let i = 0; i < v.n; i++) {
        const day = Math.floor(v.ts[i]! / DAY_MS);
        let b = byDay.get(day);
        if (!b) byDay.set(day, (b = new SegmentBuilder(day)));
        b.add(v.seq(i), v.ts[i]!, v.event[i]!, v.identity[i]!, v.source[i]!, v.hi[i]!, v.lo[i]!, props[i]!);
      }
      rows += v.n;
      if (rows >= opts.maxPlanRows && pack.seq < sealed.upToSeq) {
        upTo = pack.seq;
        break;
      }
    }
  }
  // The sealed tail's hashes first, so each day's builder can go as soon as its segment is built.
  const runs: BuiltRun[] = [];
  const tailHashes = [...byDay.values()].reduce((sum, b) => sum + b.length, 0);
  if (tailHashes > 0) {
    const hi = new Uint32Array(tailHashes);
    const lo = new Uint32Array(tailHashes);
    let at = 0;
    for (const b of byDay.values()) {
      hi.set(b.hashes.hi, at);
      lo.set(b.hashes.lo, at);
      at += b.length;
    }
    runs.push(hashRun(hi, lo));
  }
  const segments: BuiltSegment[] = [];
  const replaces: number[] = [];
  if (sealed) {
    for (const day of [...byDay.keys()].sort((a, b) => a - b)) {
      segments.push(byDay.get(day)!.build());
      byDay.delete(day);
    }
  } else {
    const smallByDay = new Map<number, number[]>();
    for (const seg of reader.segments.values()) {
      if (seg.rows >= opts.smallRows) continue;
      let list = smallByDay.get(seg.day);
      if (!list) smallByDay.set(seg.day, (list = []));
      list.push(seg.id);
    }
    for (const [day, small] of [...smallByDay].sort((a, b) => a[0] - b[0])) {
      if (small.length < opts.mergeCount) continue;
      const inputs: SegmentInput[] = [];
      let rows = 0;
      // Smallest first: one that no longer fits with the others does not keep them from merging.
      small.sort((a, b) => reader.segments.get(a)!.rows - reader.segments.get(b)!.rows || a - b);
      for (const id of small) {
        const seg = reader.segments.get(id)!;
        if (rows + seg.rows > opts.maxRows) continue;
        inputs.push({ directory: seg.directory, columns: reader.segmentColumns(id) });
        replaces.push(id);
        rows += seg.rows;
      }
      if (inputs.length > 1) segments.push(mergeSegments(day, inputs));
      else replaces.length -= inputs.length;
      // Each day's decoding garbage goes before the next day's (and the run merge's) adds to it.
      edenGC();
    }
  }
  // A run merge (up to 16 MB of hashes) waits for a plan that merged no segment.
  const merge = sealed || replaces.length > 0 ? null : planRunMerge(reader, opts);
  if (merge) runs.push(merge.run);
  if (segments.length === 0 && runs.length === 0 && !sealed) return null;
  const done = sealed && { table: sealed.table, upToSeq: upTo, drained: upTo === sealed.upToSeq };
  return { epoch: reader.epoch, sealed: done, segments, replaces, runs, replacesRuns: merge?.replaces ?? [] };
}

/** Runs merged at once (size-tiered: a hash is rewritten once per ~8x growth of its run). */
const RUNS_PER_MERGE = 8;

/**
 * planRunMerge merges the smallest dedup runs into one while there are more than `maxRuns` runs that are
 * not full, so the number of runs (blocks read per exact check) grows with the amount of data, by
 * `maxRunHashes` at a time, not with the number of compactions or days.
 */
function planRunMerge(reader: StoreReader, opts: CompactionOptions): { run: BuiltRun; replaces: number[] } | null {
  const open = reader.dedupRuns().filter((r) => r.hashes < opts.maxRunHashes).sort((a, b) => a.hashes - b.hashes || a.id - b.id);
  if (open.length <= opts.maxRuns) return null;
  const take: { id: number; hashes: number }[] = [];
  let total = 0;
  for (const r of open) {
    if (take.length >= 2 && total + r.hashes > opts.maxRunHashes) break;
    take.push(r);
    total += r.hashes;
    if (take.length === RUNS_PER_MERGE) break;
  }
  // Runs are sorted: merging them as they are read holds no second copy, where sorting the concatenation
  // did (a full run: 16 MB more of the store worker's memory, and ~160 ms).
  const pairs = new Uint32Array(2 * total);
  let blocks = 0;
  // Each block comes back as its own buffer: ~30k of them for a full merge, collected as it goes.
  mergeRuns(take.map((r) => reader.runBlocks(r.id)), pairs, () => ++blocks % 1024 === 0 && edenGC());
  return { run: buildRun(pairs), replaces: take.map((r) => r.id) };
}

/** planBuffers are the buffers a plan's column and run blobs are in, each once. */
export function planBuffers(plan: CompactionPlan | null): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const s of plan?.segments ?? []) for (const [, data] of s.columns) buffers.add(data.buffer as ArrayBuffer);
  for (const r of plan?.runs ?? []) buffers.add(r.pairs.buffer);
  return [...buffers];
}

/** applyCompaction writes a plan in one transaction; false when the plan went stale meanwhile. */
export function applyCompaction(db: Database, plan: CompactionPlan, now = Date.now()): boolean {
  return db.transaction(() => {
    if (!isCurrent(db, plan)) return false;
    for (const s of plan.segments) {
      const id = insertSegment(db, s, now, 0);
      for (const [name, data] of s.columns) insertColumn(db, id, name, data);
    }
    for (const r of plan.runs) insertRun(db, r, 0);
    publish(db, plan, [], []);
    for (const id of plan.replacesRuns) db.query("DELETE FROM dedup_runs WHERE id = ?").run(id);
    return true;
  })();
}

/**
 * STAGE_BYTES is about how much column data one staging transaction writes. At 1 MB the dedup blocks'
 * transactions held the writer's thread 4–6 ms (p99 7–16 ms); at 256 KB ~2 ms (p99 5 ms).
 */
const STAGE_BYTES = 1 << 18;
/** Dedup blocks (≤ 512 bytes on average) one staging transaction writes or deletes: ~256 KB. */
const STAGE_BLOCKS = STAGE_BYTES / 512;

/**
 * applyCompactionStaged writes a plan the way applyCompaction does, but in short transactions: each
 * segment's row and then its columns, and each dedup run's blocks, about a megabyte at a time, invisible
 * to readers (`staged = 1`), with `pause()` between them so the writer's group commits go on; then one
 * short transaction checks the plan is still current and makes them visible, drops the segments they
 * replace, retires the runs they replace and moves `compacted_seq` past the sealed tail; the sealed tail's
 * packs and the retired runs' blocks are then deleted a batch at a time. A crash in between leaves only
 * staged or retired rows, deleted at the next start (dropStaged), or compacted packs, which readers skip
 * and the next cycle deletes (the writer does not seal a table that still has rows: it plans it again).
 */
export async function applyCompactionStaged(
  db: Database,
  plan: CompactionPlan,
  pause: () => Promise<void>,
  now = Date.now(),
): Promise<boolean> {
  const ids: number[] = [];
  const runs: number[] = [];
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
    }
    for (const r of plan.runs) {
      await pause();
      const run = db.transaction(() => insertRunRow(db, r, 1))();
      runs.push(run);
      const blocks = blocksOf(r);
      let written: number;
      do {
        await pause();
        written = db.transaction(() => insertBlocks(db, run, blocks, STAGE_BLOCKS))();
      } while (written === STAGE_BLOCKS);
    }
    await pause();
    const ok = db.transaction(() => {
      if (!isCurrent(db, plan)) return false;
      publish(db, plan, ids, runs, false);
      return true;
    })();
    if (!ok) {
      dropStaged(db);
      return false;
    }
    // The sealed tail's packs are compacted now (readers skip seq <= compacted_seq): they go a few at a
    // time. Emptying the table in the publish held the writer ~8–10 ms at 50k events (reading every
    // overflow page of the packs to free it), a stall in every compaction cycle.
    if (plan.sealed) {
      const { table, upToSeq } = plan.sealed;
      do await pause();
      while (drain(db, () => deletePacks(db, table, upToSeq, PACKS_PER_STEP)) > 0);
    }
    // Replaced runs were retired by publish; their blocks go now, a batch at a time (deleting the ~130k
    // blocks of four merged 1M-hash runs in one transaction held the writer for ~200 ms, when blocks were
    // keyed by block first). Until then the exact check also reads them, which changes nothing: the merged
    // run holds the same hashes.
    for (const id of plan.replacesRuns) {
      do await pause();
      while (drain(db, () => deleteRunBlocks(db, id, STAGE_BLOCKS)) > 0);
      db.query("DELETE FROM dedup_runs WHERE id = ?").run(id);
    }
    return true;
  } catch (err) {
    dropStaged(db);
    throw err;
  }
}

/**
 * dropStaged deletes segments and runs left half-written (a failed or interrupted staged apply) and
 * runs retired by a merge whose blocks were not all deleted yet.
 */
export function dropStaged(db: Database): void {
  db.query("DELETE FROM segments WHERE staged = 1").run();
  db.query("DELETE FROM dedup_runs WHERE staged <> 0").run();
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

/** insertRun writes a dedup run and its blocks and returns its id. */
export function insertRun(db: Database, run: BuiltRun, staged: 0 | 1): number {
  const id = insertRunRow(db, run, staged);
  insertBlocks(db, id, blocksOf(run));
  return id;
}

/** insertRunRow writes a dedup run's row (its blocks go in with insertBlocks). */
function insertRunRow(db: Database, run: BuiltRun, staged: 0 | 1): number {
  return db
    .query<{ id: number }, [number, number, number]>("INSERT INTO dedup_runs (hashes, bits, staged) VALUES (?, ?, ?) RETURNING id")
    .get(run.hashes, run.bits, staged)!.id;
}

/** PACKS_PER_STEP: tail packs deleted per statement after a publish (~0.15 ms each at 1,000 events). */
const PACKS_PER_STEP = 8;

/**
 * DRAIN_MS bounds one deleting transaction. The wait between two transactions, not the deletes, was the
 * cost: under full ingest a turn of the event loop takes 20–40 ms, so deleting 8 packs per turn took
 * 0.3–1.3 s per cycle (0.2–0.5 s in 3 ms transactions), and the next seal, which waits for the sealed
 * table to be empty, came that much later, with that many more tail rows to compact at once.
 */
const DRAIN_MS = 3;

/** drain repeats `step` in one transaction until it deletes nothing or DRAIN_MS have passed; returns the last count. */
function drain(db: Database, step: () => number): number {
  return db.transaction(() => {
    const end = performance.now() + DRAIN_MS;
    let n = step();
    while (n > 0 && performance.now() < end) n = step();
    return n;
  })();
}

/** deletePacks deletes up to `limit` compacted packs (seq <= upToSeq) of a tail table and returns how many it deleted. */
function deletePacks(db: Database, table: 0 | 1, upToSeq: number, limit: number): number {
  return db
    .query(`DELETE FROM events_tail_${table} WHERE seq IN (SELECT seq FROM events_tail_${table} WHERE seq <= ? ORDER BY seq LIMIT ?)`)
    .run(upToSeq, limit).changes;
}

/** deleteRunBlocks deletes up to `limit` blocks of a run and returns how many it deleted. */
function deleteRunBlocks(db: Database, run: number, limit: number): number {
  return db
    .query("DELETE FROM dedup_blocks WHERE run_id = ?1 AND block IN (SELECT block FROM dedup_blocks WHERE run_id = ?1 LIMIT ?2)")
    .run(run, limit).changes;
}

/** insertBlocks writes the next blocks of a run, at most `limit`, and returns how many it wrote. */
function insertBlocks(db: Database, run: number, blocks: Iterator<[number, Uint8Array]>, limit = Infinity): number {
  const insert = db.query("INSERT INTO dedup_blocks (run_id, block, keys) VALUES (?, ?, ?)");
  let n = 0;
  while (n < limit) {
    const b = blocks.next();
    if (b.done) break;
    insert.run(run, b.value[0], b.value[1]);
    n++;
  }
  return n;
}

/** isCurrent: no deletion bumped the epoch since the plan was made and everything it replaces is still live. */
function isCurrent(db: Database, plan: CompactionPlan): boolean {
  const epoch = db.query<{ value: number }, []>("SELECT value FROM store_state WHERE key = 'epoch'").get()!.value;
  if (epoch !== plan.epoch) return false;
  const live = db.query<{ n: number }, [number]>("SELECT count(*) AS n FROM segments WHERE id = ? AND staged = 0");
  const liveRun = db.query<{ n: number }, [number]>("SELECT count(*) AS n FROM dedup_runs WHERE id = ? AND staged = 0");
  return plan.replaces.every((id) => live.get(id)!.n > 0) && plan.replacesRuns.every((id) => liveRun.get(id)!.n > 0);
}

/**
 * publish makes a current plan's segments visible inside the caller's transaction: the staged ones lose
 * their flag, the replaced ones go, the sealed tail's rows are compacted (and deleted, with `emptyTail`),
 * and readers see a new version.
 */
function publish(db: Database, plan: CompactionPlan, staged: readonly number[], stagedRuns: readonly number[], emptyTail = true): void {
  const show = db.query("UPDATE segments SET staged = 0 WHERE id = ?");
  for (const id of staged) show.run(id);
  const drop = db.query("DELETE FROM segments WHERE id = ?");
  for (const id of plan.replaces) drop.run(id);
  const showRun = db.query("UPDATE dedup_runs SET staged = 0 WHERE id = ?");
  for (const id of stagedRuns) showRun.run(id);
  // staged = 2: retired (applyCompactionStaged deletes its blocks in batches, applyCompaction at once).
  const retire = db.query("UPDATE dedup_runs SET staged = 2 WHERE id = ?");
  for (const id of plan.replacesRuns) retire.run(id);
  if (plan.sealed) {
    if (emptyTail) db.query(`DELETE FROM events_tail_${plan.sealed.table} WHERE seq <= ?`).run(plan.sealed.upToSeq);
    db.query("UPDATE store_state SET value = max(value, ?) WHERE key = 'compacted_seq'").run(plan.sealed.upToSeq);
  }
  db.query("UPDATE store_state SET value = value + 1 WHERE key = 'version'").run();
}
