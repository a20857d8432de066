/**
 * Dedup must be exact: a false "duplicate" silently drops an event, a false "new" stores it twice. The
 * Bloom filter only decides when the exact check on disk runs, so the store is driven through random
 * re-sends, seals, compactions, segment and run merges and restarts, both with the real filter and with
 * one that says "maybe" to nearly everything (every claim then takes the disk path), and compared with a
 * plain Set.
 */
import { describe, expect, test } from "bun:test";
import type { Database } from "bun:sqlite";
import { onFile } from "../../test/helpers.ts";
import { migrate } from "../db/migrate.ts";
import { openWriter } from "../db/sqlite.ts";
import { DEFAULT_COMPACTION, planCompaction } from "./compaction.ts";
import { blockBits, blockHas, blockOf, blocksOf, FIND_BLOCKS, hashRun, mergeRuns, messageHash, type DedupOptions } from "./dedup.ts";
import { EventStore } from "./event-store.ts";
import { pairsOf, sortPairs, wordsOf } from "./hash-pairs.ts";
import { planPurge, purgeTail } from "./purge.ts";
import { StoreReader } from "./reader.ts";
import type { StoreEvent } from "./writer.ts";

const open = (db: Database, dedup: DedupOptions = {}) => new EventStore<number>(db, (i) => i, { delayMs: 1 }, dedup);

/** compact seals the active tail and applies its compaction plan, as the store service does. */
function compact(db: Database, s: EventStore<number>): boolean {
  const reader = new StoreReader(db);
  return s.apply(reader.read(() => planCompaction(reader, DEFAULT_COMPACTION, s.seal()))!);
}

function rng(seed: number): () => number {
  return () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
}

test("message hashes differ per source and per id", () => {
  const a = messageHash(1, "m-1");
  expect(messageHash(1, "m-1")).toEqual(a);
  expect(messageHash(2, "m-1")).not.toEqual(a);
  expect(messageHash(1, "m-2")).not.toEqual(a);
});

describe("hash blocks", () => {
  test("every hash is found in its block and others are not; blocks are sorted and keyed by top bits", () => {
    const rnd = rng(3);
    for (const n of [0, 1, 255, 257, 5_000, 70_000]) {
      const hi = Uint32Array.from({ length: n }, () => (rnd() * 2 ** 32) >>> 0);
      const lo = Uint32Array.from({ length: n }, () => (rnd() * 2 ** 32) >>> 0);
      if (n > 10) hi[7] = hi[3]!; // two hashes sharing the high half
      const run = hashRun(hi, lo);
      const { hashes, bits } = run;
      const blocks = [...blocksOf(run)];
      expect([hashes, bits]).toEqual([n, blockBits(n)]);
      expect(blocks.reduce((s, [, b]) => s + b.byteLength / 8, 0)).toBe(n);
      const byKey = new Map(blocks);
      expect(byKey.size).toBe(blocks.length);
      const find = (h: number, l: number) => {
        const block = byKey.get(blockOf(bits, h));
        return block !== undefined && blockHas(block, h, l);
      };
      for (let i = 0; i < n; i++) expect(find(hi[i]!, lo[i]!)).toBe(true);
      let found = 0;
      for (let i = 0; i < 2_000; i++) if (find((rnd() * 2 ** 32) >>> 0, (rnd() * 2 ** 32) >>> 0)) found++;
      expect(found).toBe(0);
      // Same high half as a stored hash, another low half.
      if (n > 10) expect(find(hi[3]!, (lo[3]! ^ 1) >>> 0)).toBe(lo[7] === (lo[3]! ^ 1) >>> 0);
      for (const [, b] of blocks) {
        const w = wordsOf(b);
        for (let i = 2; i < w.length; i += 2) expect(w[i + 1]! > w[i - 1]! || (w[i + 1] === w[i - 1] && w[i]! > w[i - 2]!)).toBe(true);
      }
    }
    // Blocks hold ~32-64 hashes: small runs are one block, big ones get more top bits.
    expect([1, 64, 65, 128, 400_000].map(blockBits)).toEqual([0, 0, 1, 1, 13]);
  });

  test("runs merged as their blocks are read come out as the sorted concatenation, repeats kept", () => {
    const rnd = rng(11);
    const word = () => (rnd() < 0.1 ? 7 : (rnd() * 2 ** 32) >>> 0); // a few share a high half
    const runs = [0, 1, 63, 64, 65, 3_000, 20_000].map((n) => {
      const hi = Uint32Array.from({ length: n }, word);
      const lo = Uint32Array.from({ length: n }, word);
      return { hi, lo, blocks: [...blocksOf(hashRun(hi, lo))].map(([, b]) => b) };
    });
    // A hash in two runs (a purge's run can repeat one) stays twice, as a concatenation keeps it.
    runs[5]!.hi[0] = runs[6]!.hi[0]!;
    runs[5]!.lo[0] = runs[6]!.lo[0]!;
    runs[5]!.blocks = [...blocksOf(hashRun(runs[5]!.hi, runs[5]!.lo))].map(([, b]) => b);
    const hi = runs.flatMap((r) => [...r.hi]);
    const lo = runs.flatMap((r) => [...r.lo]);
    const out = new Uint32Array(2 * hi.length);
    let reads = 0;
    // An empty block between two full ones, as a run read back never has, changes nothing.
    const streams = runs.map((r) => [r.blocks[0] ?? new Uint8Array(0), new Uint8Array(0), ...r.blocks.slice(1)].values());
    mergeRuns(streams, out, () => reads++);
    expect([...out]).toEqual([...sortPairs(pairsOf(hi, lo))]);
    expect(reads).toBe(runs.reduce((n, r) => n + Math.max(1, r.blocks.length) + 1, 0));
    expect(() => mergeRuns(runs.map((r) => r.blocks.values()), new Uint32Array(out.length - 2))).toThrow("more than");
    expect(() => mergeRuns(runs.map((r) => r.blocks.values()), new Uint32Array(out.length + 2))).toThrow("counted");
  });

  test("a block at any alignment (as SQLite hands it back) is searched correctly", () => {
    const hi = Uint32Array.from([5, 1, 9]);
    const lo = Uint32Array.from([0, 7, 3]);
    const [, block] = [...blocksOf(hashRun(hi, lo))][0]!;
    const odd = new Uint8Array(block.byteLength + 1);
    odd.set(block, 1);
    for (const b of [block, odd.subarray(1)]) {
      expect([blockHas(b, 5, 0), blockHas(b, 1, 7), blockHas(b, 9, 3)]).toEqual([true, true, true]);
      expect([blockHas(b, 5, 1), blockHas(b, 0, 0), blockHas(b, 10, 0)]).toEqual([false, false, false]);
    }
  });
});

describe("the store stores each message once", () => {
  const T0 = Date.UTC(2024, 2, 1);
  const ev = (id: number, src: number, day: number): StoreEvent<number> => ({
    source: src, messageId: `m-${id}`, event: id % 4 === 0 ? "buy" : "view", ts: T0 + day * 86_400_000 + (id % 1000) * 1000,
    receivedAt: T0, props: { id }, identity: 1 + (id % 50),
  });

  for (const bloomBitsPerKey of [16, 1]) {
    test(`random re-sends across compactions, merges and restarts (${bloomBitsPerKey} Bloom bits per key)`, () =>
      onFile(async (file, first) => {
        let db = first;
        const dedup = { bloomKeys: 64, bloomBitsPerKey };
        let s = open(db, dedup);
        const rnd = rng(bloomBitsPerKey);
        const stored = new Set<string>();
        let sent = 0;
        for (let round = 0; round < 40; round++) {
          // A batch mixes new messages, re-sends of any age and repeats inside the batch.
          const batch: StoreEvent<number>[] = [];
          for (let k = 0; k < 150; k++) {
            const id = rnd() < 0.6 ? sent++ : Math.floor(rnd() * Math.max(1, sent));
            batch.push(ev(id, 1 + (id % 2), id % 3));
          }
          const expected: number[] = [];
          const inBatch = new Set<string>();
          batch.forEach((e, i) => {
            const key = `${e.source}:${e.messageId}`;
            if (stored.has(key) || inBatch.has(key)) expected.push(i);
            inBatch.add(key);
          });
          const r = await s.writer.append(batch);
          expect(r.duplicates).toEqual(expected);
          for (const k of inBatch) stored.add(k);
          const step = rnd();
          if (step < 0.35) {
            const reader = new StoreReader(db);
            const opts = { ...DEFAULT_COMPACTION, mergeCount: 2 + Math.floor(rnd() * 3), maxRuns: 2, maxRunHashes: 600 };
            // The tail's plan, then merges (segments, else runs) as the service makes them.
            for (const sealed of [s.seal(), null, null]) {
              const plan = reader.read(() => planCompaction(reader, opts, sealed));
              if (plan) expect(rnd() < 0.5 ? s.apply(plan) : await s.applyStaged(plan, async () => {})).toBe(true);
            }
          } else if (step < 0.5) {
            // Seal only: later batches go to the other tail while this one waits for its plan.
            s.seal();
          } else if (step < 0.6) {
            db.close();
            db = openWriter(file);
            s = open(db, dedup);
          }
        }
        const count = db.query<{ n: number }, []>(
          "SELECT (SELECT coalesce(sum(rows), 0) FROM segments) + (SELECT coalesce(sum(n), 0) FROM events_tail_0) + (SELECT coalesce(sum(n), 0) FROM events_tail_1) AS n",
        ).get()!.n;
        expect(count).toBe(stored.size);
        expect(db.query<{ n: number }, []>("SELECT count(*) AS n FROM segments").get()!.n).toBeGreaterThan(2);
        // The runs hold exactly the compacted rows' hashes, merged (several runs are full) and each counted once.
        const runs = db.query<{ hashes: number }, []>("SELECT hashes FROM dedup_runs").all().map((r) => r.hashes);
        expect(runs.filter((h) => h >= 600).length).toBeGreaterThan(0);
        expect(db.query("SELECT (SELECT sum(length(keys)) / 8 FROM dedup_blocks) = (SELECT sum(rows) FROM segments) AS ok").get()).toEqual({ ok: 1 });
        expect(runs.reduce((a, b) => a + b, 0)).toBe(db.query<{ n: number }, []>("SELECT sum(rows) AS n FROM segments").get()!.n);
        // Runs a merge replaced are gone, blocks included (staged applies delete them in batches).
        expect(db.query("SELECT count(*) AS n FROM dedup_runs WHERE staged <> 0").get()).toEqual({ n: 0 });
        db.close();
      }));
  }

  test("re-sends of compacted events take the disk check; new events almost never do", () =>
    onFile(async (_, db) => {
      const s = open(db);
      await s.writer.append(Array.from({ length: 3_000 }, (_, i) => ev(i, 1, 0)));
      expect(compact(db, s)).toBe(true);
      await s.writer.append(Array.from({ length: 3_000 }, (_, i) => ev(10_000 + i, 1, 0)));
      expect(s.dedup.diskChecks).toBeLessThan(10);
      const r = await s.writer.append(Array.from({ length: 500 }, (_, i) => ev(i * 6, 1, 0)));
      expect(r.stored).toBe(0);
      expect(s.dedup.diskChecks).toBeGreaterThanOrEqual(500);
      db.close();
    }));

  test("the exact check seeks one block per run instead of scanning the blocks", () => {
    const db = openWriter(":memory:");
    migrate(db);
    const plan = db.query<{ detail: string }, [number]>(`EXPLAIN QUERY PLAN ${FIND_BLOCKS}`).all(1).map((r) => r.detail);
    expect(plan).toEqual(["SCAN r", "SEARCH b USING PRIMARY KEY (run_id=? AND block=?)"]);
    db.close();
  });

  test("a re-sent message of a deleted event stays a duplicate, whether it was compacted or in the tail", () =>
    onFile(async (file, first) => {
      let db = first;
      let s = open(db);
      await s.writer.append(Array.from({ length: 100 }, (_, i) => ev(i, 1, 0)));
      compact(db, s);
      await s.writer.append([ev(101, 1, 0), ev(151, 1, 0)]);
      // Identity 2's events: 1 and 51 in a segment, 101 and 151 in the tail.
      db.transaction(() => purgeTail(db, [2]))();
      const reader = new StoreReader(db);
      expect(s.apply(reader.read(() => planPurge(reader, [2])).plan)).toBe(true);
      expect(db.query("SELECT count(*) AS n FROM events_tail_0").get()).toEqual({ n: 0 });
      const again = [ev(1, 1, 0), ev(51, 1, 0), ev(101, 1, 0), ev(151, 1, 0), ev(2, 1, 0), ev(300, 1, 0)];
      expect(await s.writer.append(again)).toEqual({ stored: 1, duplicates: [0, 1, 2, 3, 4], rejected: [], lastSeq: expect.any(Number) });
      db.close();
      db = openWriter(file);
      s = open(db);
      expect((await s.writer.append(again)).stored).toBe(0);
      db.close();
    }));
});

test("the migration builds runs from the segments written before it", () =>
  onFile(async (_, db) => {
    const ev = (i: number): StoreEvent<number> => ({
      source: 1, messageId: `m${i}`, event: "view", ts: Date.UTC(2024, 0, 1 + (i % 3)), receivedAt: 0, props: {}, identity: 1,
    });
    const first = open(db);
    await first.writer.append(Array.from({ length: 1_000 }, (_, i) => ev(i)));
    compact(db, first);
    const blocks = db.query("SELECT block, hex(keys) AS k FROM dedup_blocks ORDER BY 1").all();
    db.exec("DROP TABLE dedup_blocks; DROP TABLE dedup_runs; DELETE FROM _migrations WHERE name = '0080_dedup_runs'");
    expect(migrate(db)).toEqual(["0080_dedup_runs"]);
    // Three segments (days) gathered into one run: the same sorted blocks as the compaction wrote.
    expect(db.query("SELECT block, hex(keys) AS k FROM dedup_blocks ORDER BY 1").all()).toEqual(blocks);
    const s = open(db, { bloomBitsPerKey: 1 });
    expect(await s.writer.append([ev(5), ev(1_000)])).toEqual({ stored: 1, duplicates: [0], rejected: [], lastSeq: expect.any(Number) });
    db.close();
  }));
