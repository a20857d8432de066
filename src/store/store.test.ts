/**
 * The event store's promises: an append resolves only after commit, a re-sent message is stored once
 * (also after compaction and a restart), compaction loses and invents nothing, and a reader sees the
 * same events before and after compaction.
 */
import { describe, expect, test } from "bun:test";
import { closeSync, openSync, readSync, statSync } from "node:fs";
import type { Database } from "bun:sqlite";
import { freshDb, onFile } from "../../test/helpers.ts";
import { openWriter } from "../db/sqlite.ts";
import { DEFAULT_COMPACTION, planCompaction, type CompactionPlan } from "./compaction.ts";
import { EventStore } from "./event-store.ts";
import { StoreReader, type Chunk } from "./reader.ts";
import type { StoreEvent } from "./writer.ts";
import { StoreService } from "./store-service.ts";
import { unpack, type PackRow } from "./tail-pack.ts";

const T0 = Date.UTC(2024, 0, 31, 22, 0, 0);
const ev = (i: number, over: Partial<StoreEvent<number>> = {}): StoreEvent<number> => ({
  source: 1, messageId: `m${i}`, event: i % 3 === 0 ? "signup" : "page", ts: T0 + i * 600_000,
  receivedAt: T0, props: { i, browser: i % 2 ? "Chrome" : "Safari", nested: { a: i % 2 } }, identity: 100 + (i % 7), ...over,
});
/** walRestarts reads the WAL header's checkpoint sequence number, which each restart of the WAL increments. */
/** walRestarts reads the WAL header's checkpoint sequence number (0 while the file is empty, after a truncation). */
function walRestarts(file: string): number {
  const header = Buffer.alloc(16);
  const fd = openSync(`${file}-wal`, "r");
  const n = readSync(fd, header, 0, 16, 0);
  closeSync(fd);
  return n === 16 ? header.readUInt32BE(12) : 0;
}
const store = (db: Database) => new EventStore<number>(db, (identity) => identity, { delayMs: 1 });
/** sealAndPlan seals the active tail and plans its compaction with the defaults, as the service does. */
const sealAndPlan = (reader: StoreReader, s: EventStore<number>) =>
  reader.read(() => planCompaction(reader, DEFAULT_COMPACTION, s.seal()))!;
/** mergePlan plans merges (no sealed tail), as the service does after the tail's plans; null when none is due. */
const mergePlan = (reader: StoreReader, opts = DEFAULT_COMPACTION) => reader.read(() => planCompaction(reader, opts, null));

function rowsOf(reader: StoreReader): { event: string; ts: number; identity: number; i: unknown; browser: unknown }[] {
  return reader.read(() => {
    const out: { event: string; ts: number; identity: number; i: unknown; browser: unknown }[] = [];
    for (const c of reader.chunks({ from: 0, to: 8.64e15 })) out.push(...expand(reader, c));
    return out.sort((a, b) => a.ts - b.ts || a.event.localeCompare(b.event));
  });
}

function expand(reader: StoreReader, c: Chunk) {
  const iCol = c.prop("i");
  const bCol = c.prop("browser");
  return Array.from({ length: c.n }, (_, k) => ({
    event: reader.eventName(c.event), ts: c.tsBase + c.ts[k]!, identity: c.identity[k]!,
    i: iCol && iCol.codes[k] ? iCol.dict[iCol.codes[k]! - 1] : undefined,
    browser: bCol && bCol.codes[k] ? bCol.dict[bCol.codes[k]! - 1] : undefined,
  }));
}

describe("writer", () => {
  test("append resolves after commit with per-event outcome; duplicates stored once", async () => {
    const db = freshDb();
    const s = store(db);
    const r1 = await s.writer.append([ev(1), ev(2), ev(1)]);
    expect(r1).toEqual({ stored: 2, duplicates: [2], rejected: [], lastSeq: 2 });
    expect(db.query("SELECT (SELECT coalesce(sum(n), 0) FROM events_tail_0) + (SELECT coalesce(sum(n), 0) FROM events_tail_1) AS n").get()).toEqual({ n: 2 });
    const r2 = await s.writer.append([ev(2), ev(3)]);
    expect(r2).toEqual({ stored: 1, duplicates: [0], rejected: [], lastSeq: 3 });
    // The same messageId from another source is a different message.
    expect((await s.writer.append([ev(2, { source: 2 })])).stored).toBe(1);
  });

  test("concurrent requests share one transaction and all resolve", async () => {
    const db = freshDb();
    const s = store(db);
    const results = await Promise.all(Array.from({ length: 20 }, (_, r) =>
      s.writer.append(Array.from({ length: 50 }, (_, k) => ev(r * 1000 + k)))));
    expect(results.every((x) => x.stored === 50)).toBe(true);
    // One transaction: one pack of 1,000 events with 1,000 different seqs.
    const packs = db.query<PackRow, []>("SELECT seq, n, cols, props FROM events_tail_0").all();
    expect(packs.map((p) => p.n)).toEqual([1000]);
    expect(new Set(unpack(packs[0]!).map((r) => r.seq)).size).toBe(1000);
  });

  test("a large commit is cut into packs of at most 1,000 events, in seq order", async () => {
    const db = freshDb();
    const s = store(db);
    expect((await s.writer.append(Array.from({ length: 2500 }, (_, k) => ev(k)))).stored).toBe(2500);
    const packs = db.query<PackRow, []>("SELECT seq, n, cols, props FROM events_tail_0 ORDER BY seq").all();
    expect(packs.map((p) => p.n)).toEqual([1000, 1000, 500]);
    const seqs = packs.flatMap(unpack).map((r) => r.seq);
    expect(seqs).toEqual(Array.from({ length: 2500 }, (_, k) => seqs[0]! + k));
  });

  test("rejections from the resolver are reported and do not consume the messageId", async () => {
    const db = freshDb();
    const s = new EventStore<number>(db, (id) => (id < 0 ? { reject: "no identifier" } : id));
    const r = await s.writer.append([ev(1, { identity: -1 }), ev(2)]);
    expect(r).toEqual({ stored: 1, duplicates: [], rejected: [{ index: 0, reason: "no identifier" }], lastSeq: expect.any(Number) });
    expect((await s.writer.append([ev(1)])).stored).toBe(1);
  });

  test("a full queue answers Overloaded instead of growing without bound", async () => {
    const db = freshDb();
    const s = new EventStore<number>(db, (id) => id, { maxPending: 10, delayMs: 50 });
    const first = s.writer.append(Array.from({ length: 8 }, (_, k) => ev(k)));
    await expect(s.writer.append(Array.from({ length: 8 }, (_, k) => ev(100 + k)))).rejects.toThrow(/queue full/);
    expect((await first).stored).toBe(8);
  });

  test("a transaction that fails gives back every messageId it claimed, so a retry stores them", async () => {
    const db = freshDb();
    let fail = true;
    const s = new EventStore<number>(db, (id) => {
      if (id === 999 && fail) throw Object.assign(new Error("disk I/O error"), { code: "SQLITE_IOERR" });
      return id;
    });
    const batch = [ev(1), ev(2), ev(3, { identity: 999 })];
    await expect(s.writer.append(batch)).rejects.toThrow(/refused the write/);
    fail = false;
    expect(await s.writer.append(batch)).toEqual({ stored: 3, duplicates: [], rejected: [], lastSeq: expect.any(Number) });
    expect(await s.writer.append(batch)).toEqual({ stored: 0, duplicates: [0, 1, 2], rejected: [], lastSeq: 0 });
  });

  test("syncEachCommit runs each group commit with synchronous = FULL and leaves the connection at NORMAL", async () => {
    // The resolver runs inside the commit's transaction: it sees the level the commit is written with.
    const levels = async (syncEachCommit: boolean) => {
      const db = freshDb();
      const level = () => db.query<{ synchronous: number }, []>("PRAGMA synchronous").get()!.synchronous;
      const during: number[] = [];
      const s = new EventStore<number>(db, (identity) => (during.push(level()), identity), { delayMs: 1, syncEachCommit });
      await s.writer.append([ev(1), ev(2)]);
      return { during, after: level() };
    };
    expect(await levels(true)).toEqual({ during: [2, 2], after: 1 }); // FULL = 2, NORMAL = 1
    expect(await levels(false)).toEqual({ during: [1, 1], after: 1 });
  });

  test("a full disk refuses the commit as Overloaded, is reported once, and clears with the next commit that succeeds", async () => {
    const db = freshDb();
    const seen: unknown[] = [];
    const s = new EventStore<number>(db, (identity) => identity, { delayMs: 1, now: () => T0, onRefusal: (r) => seen.push(r) });
    await s.writer.append([ev(1)]);
    // SQLite's page limit raises the same SQLITE_FULL a full file system does, through the same code path.
    db.exec(`PRAGMA max_page_count = ${db.query<{ page_count: number }, []>("PRAGMA page_count").get()!.page_count}`);
    const batch = Array.from({ length: 500 }, (_, k) => ev(10 + k, { props: { pad: "x".repeat(400) } }));
    for (let k = 0; k < 2; k++) await expect(s.writer.append(batch)).rejects.toThrow("the database refused the write (database or disk is full)");
    expect(seen).toEqual([{ since: T0, message: "database or disk is full" }]);
    expect(s.writer.refusal).toEqual({ since: T0, message: "database or disk is full" });
    db.exec("PRAGMA max_page_count = 1073741823");
    expect((await s.writer.append(batch)).stored).toBe(500);
    expect(seen).toEqual([{ since: T0, message: "database or disk is full" }, null]);
    expect(s.writer.refusal).toBeNull();
  });
});

describe("compaction", () => {
  test("moves the tail into segments without changing what readers see", async () => {
    const db = freshDb();
    const s = store(db);
    await s.writer.append(Array.from({ length: 300 }, (_, k) => ev(k)));
    const reader = new StoreReader(db);
    const before = rowsOf(reader);
    expect(before.length).toBe(300);
    const plan = sealAndPlan(reader, s);
    expect(plan.segments.map((x) => x.day)).toEqual([...new Set(before.map((r) => Math.floor(r.ts / 864e5)))]);
    expect(s.apply(plan)).toBe(true);
    expect(db.query("SELECT (SELECT coalesce(sum(n), 0) FROM events_tail_0) + (SELECT coalesce(sum(n), 0) FROM events_tail_1) AS n").get()).toEqual({ n: 0 });
    expect(rowsOf(reader)).toEqual(before);
    // New rows after compaction join the tail and stay visible next to the segments.
    await s.writer.append([ev(1000)]);
    expect(rowsOf(reader).length).toBe(301);
  });

  test("a plan reads the sealed packs whether or not a query decoded the tail, and the decoded tail catches up", async () => {
    const db = freshDb();
    const s = store(db);
    await s.writer.append(Array.from({ length: 200 }, (_, k) => ev(k)));
    const queried = new StoreReader(db);
    expect(rowsOf(queried).length).toBe(200);
    await s.writer.append(Array.from({ length: 100 }, (_, k) => ev(200 + k)));
    const sealed = s.seal();
    await s.writer.append(Array.from({ length: 50 }, (_, k) => ev(300 + k)));
    const idle = new StoreReader(db);
    const plans = [queried, idle].map((r) => r.read(() => planCompaction(r, DEFAULT_COMPACTION, sealed))!);
    for (const plan of plans) {
      expect(plan.segments.reduce((n, x) => n + x.rows, 0)).toBe(300);
      expect(plan.runs.map((r) => r.hashes)).toEqual([300]);
    }
    expect(plans[0]!.segments).toEqual(plans[1]!.segments);
    expect(s.apply(plans[0]!)).toBe(true);
    const all = rowsOf(queried);
    expect(all.map((r) => r.i)).toEqual(Array.from({ length: 350 }, (_, k) => k));
    expect(rowsOf(idle)).toEqual(all);
  });

  test("small segments of a day merge once there are mergeCount of them; hour counts survive", async () => {
    const db = freshDb();
    const s = store(db);
    const reader = new StoreReader(db);
    const sizes: number[][] = [];
    for (let round = 0; round < 5; round++) {
      await s.writer.append(Array.from({ length: 40 }, (_, k) => ev(round * 40 + k, { ts: T0 + 60_000 * k })));
      const plan = sealAndPlan(reader, s);
      // A plan with a tail only builds its segments.
      expect(plan.replaces).toEqual([]);
      expect(s.apply(plan)).toBe(true);
      const merge = mergePlan(reader);
      if (merge) expect(s.apply(merge)).toBe(true);
      reader.read(() => sizes.push([...reader.segments.values()].map((x) => x.rows)));
    }
    expect(sizes).toEqual([[40], [40, 40], [40, 40, 40], [160], [160, 40]]);
    let total = 0;
    reader.read(() => reader.hourCounts(0, 8.64e15, (_e, _h, c) => (total += c)));
    expect(total).toBe(200);
  });

  test.each(["apply", "applyStaged"] as const)("a sealed tail over maxPlanRows goes in several plans of whole packs (%s); readers and dedup see every row throughout", async (how) => {
    const db = freshDb();
    const s = store(db);
    // Six commits of 500 events: six packs.
    for (let c = 0; c < 6; c++) await s.writer.append(Array.from({ length: 500 }, (_, k) => ev(c * 500 + k)));
    const reader = new StoreReader(db);
    const before = rowsOf(reader);
    const opts = { ...DEFAULT_COMPACTION, maxPlanRows: 1200 };
    const sealed = s.seal()!;
    const tailRows = (t: number) => db.query<{ n: number }, []>(`SELECT coalesce(sum(n), 0) AS n FROM events_tail_${t}`).get()!.n;
    const plans: [rows: number, upToSeq: number, drained: boolean][] = [];
    for (let again: typeof sealed | null = sealed; again; again = plans.at(-1)![2] ? null : s.seal()) {
      // The writer does not rotate while the sealed table has rows left: the next plan goes on from it.
      expect(again.table).toBe(sealed.table);
      const plan = reader.read(() => planCompaction(reader, opts, again))!;
      plans.push([plan.segments.reduce((n, x) => n + x.rows, 0), plan.sealed!.upToSeq, plan.sealed!.drained]);
      expect(how === "apply" ? s.apply(plan) : await s.applyStaged(plan, async () => {})).toBe(true);
      // Only the packs the plan compacted are deleted.
      expect(tailRows(sealed.table)).toBe(3000 - plan.sealed!.upToSeq);
      expect(rowsOf(reader)).toEqual(before);
      // Every message is a duplicate, compacted or not.
      expect((await s.writer.append([ev(0), ev(2999), ev(1600)])).duplicates).toEqual([0, 1, 2]);
    }
    // 1,200 rows end inside the third pack: the first plan takes three whole packs, the second the rest.
    expect(plans).toEqual([[1500, 1500, false], [1500, 3000, true]]);
    expect(tailRows(sealed.table === 0 ? 1 : 0)).toBe(0);
    expect(reader.read(() => [...reader.segments.values()].reduce((n, x) => n + x.rows, 0))).toBe(3000);
  });

  test("small segments merge smallest first: one that no longer fits does not keep the others from merging", async () => {
    const db = freshDb();
    const s = store(db);
    const reader = new StoreReader(db);
    const opts = { ...DEFAULT_COMPACTION, mergeCount: 3, smallRows: 100, maxRows: 100 };
    let k = 0;
    for (const n of [90, 20, 20, 20]) {
      await s.writer.append(Array.from({ length: n }, (_, i) => ev(k++, { ts: T0 + 60_000 * i })));
      expect(s.apply(reader.read(() => planCompaction(reader, opts, s.seal()))!)).toBe(true);
    }
    const merge = mergePlan(reader, opts)!;
    expect(merge.segments.map((x) => x.rows)).toEqual([60]);
    expect(s.apply(merge)).toBe(true);
    expect(reader.read(() => [...reader.segments.values()].map((x) => x.rows).sort((a, b) => a - b))).toEqual([60, 90]);
  });

  test("merges go in plans without a tail: segments first, dedup runs in the next plan", async () => {
    const db = freshDb();
    const s = store(db);
    const reader = new StoreReader(db);
    const opts = { ...DEFAULT_COMPACTION, mergeCount: 3, maxRuns: 1 };
    const counts = (plan: CompactionPlan | null) => plan && [plan.segments.length, plan.replaces.length, plan.runs.length, plan.replacesRuns.length];
    const steps: ReturnType<typeof counts>[] = [];
    for (let k = 0; k < 3; k++) {
      await s.writer.append(Array.from({ length: 40 }, (_, i) => ev(k * 40 + i, { ts: T0 + 60_000 * i })));
      const tail = reader.read(() => planCompaction(reader, opts, s.seal()))!;
      expect(s.apply(tail)).toBe(true);
      steps.push(counts(tail));
      for (let plan = mergePlan(reader, opts); plan; plan = mergePlan(reader, opts)) {
        expect(s.apply(plan)).toBe(true);
        steps.push(counts(plan));
      }
    }
    expect(steps).toEqual([
      [1, 0, 1, 0], // a segment and a run
      [1, 0, 1, 0], [0, 0, 1, 2], // two runs are over maxRuns: merged
      // Three segments merge; the two runs over maxRuns wait for the next plan.
      [1, 0, 1, 0], [1, 3, 0, 0], [0, 0, 1, 2],
    ]);
    expect((await s.writer.append([ev(0), ev(119)])).duplicates).toEqual([0, 1]);
  });

  test("a plan made before a deletion epoch change is refused", async () => {
    const db = freshDb();
    const s = store(db);
    await s.writer.append([ev(1)]);
    const reader = new StoreReader(db);
    const plan = sealAndPlan(reader, s);
    db.query("UPDATE store_state SET value = value + 1 WHERE key = 'epoch'").run();
    expect(s.apply(plan)).toBe(false);
  });
});

describe("staged apply", () => {
  const tailCount = (db: Database) =>
    db.query<{ n: number }, []>("SELECT (SELECT coalesce(sum(n), 0) FROM events_tail_0) + (SELECT coalesce(sum(n), 0) FROM events_tail_1) AS n").get()!.n;

  test("writes between the writer's commits; readers see the old rows until the switch, then the same rows", async () => {
    const db = freshDb();
    const s = store(db);
    // Wide properties make several megabytes of columns, so staging takes several transactions.
    await s.writer.append(Array.from({ length: 3000 }, (_, k) => ev(k, { props: { k, blob: `${k}-${"x".repeat(2000)}-${k * 7919}` } })));
    const reader = new StoreReader(db);
    const before = rowsOf(reader);
    const plan = sealAndPlan(reader, s);
    let pauses = 0;
    let during = 0;
    const ok = await s.applyStaged(plan, async () => {
      pauses++;
      // The writer keeps committing while the plan is staged; nothing staged is visible yet.
      await s.writer.append([ev(10_000 + pauses)]);
      during = Math.max(during, rowsOf(reader).length - before.length - pauses);
    });
    expect(ok).toBe(true);
    expect(pauses).toBeGreaterThan(2);
    expect(during).toBe(0);
    const after = rowsOf(reader);
    expect(after.length).toBe(before.length + pauses);
    expect(db.query("SELECT count(*) AS n FROM segments WHERE staged = 1").get()).toEqual({ n: 0 });
    expect(tailCount(db)).toBe(pauses);
  });

  test("a deletion during staging makes the plan stale: staged rows go, the tail stays", async () => {
    const db = freshDb();
    const s = store(db);
    await s.writer.append(Array.from({ length: 100 }, (_, k) => ev(k)));
    const reader = new StoreReader(db);
    const plan = sealAndPlan(reader, s);
    const ok = await s.applyStaged(plan, async () => {
      db.query("UPDATE store_state SET value = value + 1 WHERE key = 'epoch'").run();
    });
    expect(ok).toBe(false);
    expect(db.query("SELECT count(*) AS n FROM segments").get()).toEqual({ n: 0 });
    expect(tailCount(db)).toBe(100);
    expect(rowsOf(reader).length).toBe(100);
  });

  test("the compacted tail is emptied a few packs at a time after the switch; a crash in between loses and doubles nothing", () =>
    onFile(async (file, db) => {
      const s = store(db);
      await s.writer.append(Array.from({ length: 3000 }, (_, k) => ev(k)));
      const plan = sealAndPlan(new StoreReader(db), s);
      const compacted = () => db.query<{ value: number }, []>("SELECT value FROM store_state WHERE key = 'compacted_seq'").get()!.value;
      // The process dies at the first pause after the publish, before any pack of the sealed tail is deleted.
      void s.applyStaged(plan, () => (compacted() > 0 ? new Promise<void>(() => {}) : Promise.resolve()));
      await Bun.sleep(10);
      expect(compacted()).toBeGreaterThan(0);
      expect(tailCount(db)).toBe(3000);
      expect(rowsOf(new StoreReader(db)).length).toBe(3000);
      db.close();
      const again = openWriter(file);
      const s2 = store(again);
      expect(rowsOf(new StoreReader(again)).length).toBe(3000);
      expect((await s2.writer.append([ev(5), ev(3001)])).duplicates).toEqual([0]);
      // The next cycle finds the compacted packs still there and empties their table.
      expect(await s2.applyStaged(sealAndPlan(new StoreReader(again), s2), async () => {})).toBe(true);
      expect(tailCount(again)).toBe(1);
      expect(rowsOf(new StoreReader(again)).length).toBe(3001);
      again.close();
    }));

  test("segments and dedup runs left staged by a crash are invisible and deleted at the next start", () =>
    onFile(async (file, db) => {
      const s = store(db);
      await s.writer.append(Array.from({ length: 100 }, (_, k) => ev(k)));
      const plan = sealAndPlan(new StoreReader(db), s);
      // The process dies during staging: the next pause never returns.
      // It dies once the segments and the dedup run are staged, before they are published.
      const steps = plan.segments.length + plan.runs.length * 2 + 1;
      let pauses = 0;
      void s.applyStaged(plan, () => (++pauses >= steps ? new Promise<void>(() => {}) : Promise.resolve()));
      await Bun.sleep(10);
      expect(db.query<{ n: number }, []>("SELECT count(*) AS n FROM segments WHERE staged = 1").get()!.n).toBeGreaterThan(0);
      expect(db.query<{ n: number }, []>("SELECT count(*) AS n FROM dedup_runs WHERE staged = 1").get()!.n).toBe(1);
      expect(rowsOf(new StoreReader(db)).length).toBe(100);
      db.close();
      const again = openWriter(file);
      const s2 = store(again);
      expect(again.query("SELECT (SELECT count(*) FROM segments) + (SELECT count(*) FROM dedup_runs) AS n").get()).toEqual({ n: 0 });
      expect(rowsOf(new StoreReader(again)).length).toBe(100);
      expect((await s2.writer.append([ev(5), ev(500)])).duplicates).toEqual([0]);
      again.close();
    }));
});

test("dedup survives compaction and a restart", () =>
  onFile(async (file, first) => {
    let db = first;
    let s = store(db);
    await s.writer.append(Array.from({ length: 50 }, (_, k) => ev(k)));
    s.apply(sealAndPlan(new StoreReader(db), s));
    await s.writer.append([ev(60)]);
    db.close();
    db = openWriter(file);
    s = store(db);
    const r = await s.writer.append([ev(3), ev(60), ev(61)]);
    expect(r).toEqual({ stored: 1, duplicates: [0, 1], rejected: [], lastSeq: expect.any(Number) });
    db.close();
  }));

describe("store service", () => {
  test("worker-side compaction while writes continue loses nothing and stores nothing twice", () =>
    onFile(async (file, db) => {
      const svc = await StoreService.open<number>(db, {
        file, resolve: (x) => x, compaction: { minRows: 200, maxAgeMs: 0 },
      });
      const sends: Promise<unknown>[] = [];
      for (let r = 0; r < 30; r++) {
        sends.push(svc.store.writer.append(Array.from({ length: 100 }, (_, k) => ev(r * 100 + k))));
        if (r % 5 === 0) sends.push(svc.compactNow());
        await Bun.sleep(1);
      }
      await Promise.all(sends);
      await svc.compactNow();
      await svc.compactNow();
      const stats = await svc.reader.call("stats", {});
      expect(stats.segmentRows + stats.tailRows).toBe(3000);
      expect(stats.tailRows).toBe(0);
      // Re-sending everything stores nothing.
      const again = await svc.store.writer.append(Array.from({ length: 3000 }, (_, k) => ev(k)));
      expect(again.stored).toBe(0);
      await svc.close();
      db.close();
    }));

  test("one cycle drains a sealed backlog in plans of maxPlanRows, one after another; rows committed meanwhile wait in the active tail", () =>
    onFile(async (file, db) => {
      const svc = await StoreService.open<number>(db, {
        file, resolve: (x) => x, compaction: { minRows: 1e9, maxAgeMs: 1e9, maxPlanRows: 500 },
      });
      for (let c = 0; c < 30; c++) await svc.store.writer.append(Array.from({ length: 100 }, (_, k) => ev(c * 100 + k)));
      const cycle = svc.compactNow();
      // Committed while the backlog is planned: they go to the other tail table, for the next seal.
      await svc.store.writer.append(Array.from({ length: 100 }, (_, k) => ev(3000 + k)));
      await cycle;
      const stats = await svc.reader.call("stats", {});
      expect([stats.segmentRows, stats.tailRows]).toEqual([3000, 100]);
      await svc.close();
      db.close();
    }));

  test("continuous ingestion and reads: the writer restarts a long WAL, which SQLite alone never did between back-to-back commits, and empties it when idle", () =>
    onFile(async (file, db) => {
      // With no size limit the file's size is the WAL's length since its last restart.
      db.exec("PRAGMA journal_size_limit = 0");
      const svc = await StoreService.open<number>(db, {
        file, resolve: (x) => x, compaction: { minRows: 1e9, maxAgeMs: 1e9 }, longWalFrames: 256,
      });
      // Four senders keep the writer's queue full: ~100 MB through the WAL, a commit right after another.
      // On a slow or busy machine they go on (up to 15 s) until the WAL was restarted twice.
      let next = 0;
      let longest = 0;
      let restarts = 0;
      const deadline = Date.now() + 15_000;
      const going = () => next < 200_000 || (restarts < 2 && Date.now() < deadline);
      const send = async () => {
        while (going()) {
          await svc.store.writer.append(Array.from({ length: 200 }, () => ev(next++, { props: { pad: "x".repeat(300) } })));
          longest = Math.max(longest, statSync(`${file}-wal`).size);
          // The most seen: a pause in the load can let the worker truncate the WAL (its header reads 0 then).
          restarts = Math.max(restarts, walRestarts(file));
        }
      };
      // And a stream of read operations, as from dashboards: they kept the worker's checkpoint timer from
      // firing at all (0 restarts), until a due checkpoint also ran after each operation.
      let reads = 0;
      const read = async () => {
        while (going()) await svc.reader.call("stats", {}), reads++;
      };
      await Promise.all([send(), send(), send(), send(), read(), read()]);
      expect(reads).toBeGreaterThan(5);
      // Before, the WAL held all ~100 MB at the end (restarted 0 times in two runs); now it restarts every
      // few hundred milliseconds (the worker's checkpoint tick), 7 times in ~1.5 s here.
      expect(restarts).toBeGreaterThanOrEqual(2);
      expect(longest).toBeLessThan(40e6);
      // A restart keeps the file's size (here: no limit again); once nothing is committed for a tick, the
      // file is emptied.
      db.exec("PRAGMA journal_size_limit = -1");
      await svc.store.writer.append(Array.from({ length: 1000 }, () => ev(next++, { props: { pad: "x".repeat(300) } })));
      expect(statSync(`${file}-wal`).size).toBeGreaterThan(256 * 1024);
      for (let waited = 0; statSync(`${file}-wal`).size > 0 && waited < 5_000; waited += 50) await Bun.sleep(50);
      expect(statSync(`${file}-wal`).size).toBe(0);
      await svc.close();
      db.close();
    }), 40_000);

  test("a full disk: compaction's failure is logged once, not every cycle; ingest's refusal once, and its end", async () => {
    const db = freshDb();
    const log: string[] = [];
    const svc = StoreService.local<number>(db, { resolve: (x) => x, compaction: { minRows: 1_000_000, maxAgeMs: 0 }, log: (m) => log.push(m) });
    await svc.store.writer.append(Array.from({ length: 300 }, (_, k) => ev(k, { props: { pad: `${k}`.repeat(200) } })));
    db.exec(`PRAGMA max_page_count = ${db.query<{ page_count: number }, []>("PRAGMA page_count").get()!.page_count}`);
    for (let k = 0; k < 3; k++) await svc.compactNow();
    expect(log).toEqual(["compaction failed: database or disk is full"]);
    for (let k = 0; k < 2; k++) await expect(svc.store.writer.append([ev(1000 + k, { props: { pad: "x".repeat(9000) } })])).rejects.toThrow("database or disk is full");
    await svc.compactNow(); // skipped while the database refuses writes
    db.exec("PRAGMA max_page_count = 1073741823");
    await svc.store.writer.append([ev(2000)]);
    expect(log).toEqual([
      "compaction failed: database or disk is full",
      "the database refuses writes (database or disk is full): ingestion answers 503 until it has space again",
      "the database accepts writes again",
    ]);
    await svc.compactNow();
    expect(log).toHaveLength(3);
    await svc.close();
  });
});
