/**
 * Protects the source page's counters: per-minute accumulation, flushing into ingest_stats (migration 0020)
 * by adding to existing rows, the last-24-hours view that includes not-yet-flushed counts, pruning, and that
 * a failed flush keeps its counts.
 */
import { expect, test } from "bun:test";
import { freshDb } from "../../test/helpers.ts";
import { IngestStats } from "./stats.ts";

const T0 = Date.parse("2024-05-01T12:00:10Z");
const MIN = Math.floor(T0 / 60_000);

function setup() {
  const db = freshDb();
  let now = T0;
  const stats = new IngestStats(() => now);
  return { db, stats, at: (ms: number) => (now = ms) };
}

test("counts accumulate per source, minute and outcome, and flush adds to stored rows", () => {
  const { db, stats, at } = setup();
  stats.add(1, "received", 5);
  stats.add(1, "accepted", 4);
  stats.addDrops(1, { invalid: 1 });
  stats.add(2, "received", 1);
  expect(stats.flush(db)).toBe(4);
  stats.add(1, "received", 2);
  at(T0 + 60_000);
  stats.add(1, "received", 3);
  stats.flush(db);
  const rows = db.query("SELECT source_id, minute, outcome, count FROM ingest_stats ORDER BY source_id, minute, outcome").all();
  expect(rows).toEqual([
    { source_id: 1, minute: MIN, outcome: "accepted", count: 4 },
    { source_id: 1, minute: MIN, outcome: "invalid", count: 1 },
    { source_id: 1, minute: MIN, outcome: "received", count: 7 },
    { source_id: 1, minute: MIN + 1, outcome: "received", count: 3 },
    { source_id: 2, minute: MIN, outcome: "received", count: 1 },
  ]);
  expect(stats.pendingRows()).toEqual([]);
});

test("lastDay merges flushed and pending counts, oldest minute first, within 24 h", () => {
  const { db, stats, at } = setup();
  at(T0 - 25 * 3600_000);
  stats.add(1, "received", 100);
  at(T0);
  stats.add(1, "received", 3);
  stats.add(1, "accepted", 2);
  stats.add(1, "consent", 1);
  stats.flush(db);
  at(T0 + 120_000);
  stats.add(1, "received", 1);
  stats.add(1, "overloaded", 1);
  expect(stats.lastDay(db, 1)).toEqual([
    { minute: MIN, received: 3, accepted: 2, dropped: { consent: 1 } },
    { minute: MIN + 2, received: 1, accepted: 0, dropped: { overloaded: 1 } },
  ]);
  expect(stats.lastDay(db, 2)).toEqual([]);
});

test("minutes older than a week are pruned on flush", () => {
  const { db, stats, at } = setup();
  at(T0 - 8 * 24 * 3600_000);
  stats.add(1, "received", 1);
  stats.flush(db);
  at(T0);
  stats.add(1, "received", 1);
  stats.flush(db);
  expect(db.query("SELECT count(*) AS n FROM ingest_stats").get()).toEqual({ n: 1 });
});

test("a failed flush keeps its counts for the next one", () => {
  const { db, stats } = setup();
  stats.add(1, "received", 2);
  db.exec("ALTER TABLE ingest_stats RENAME TO ingest_stats_away");
  expect(() => stats.flush(db)).toThrow();
  db.exec("ALTER TABLE ingest_stats_away RENAME TO ingest_stats");
  expect(stats.flush(db)).toBe(1);
  expect(db.query("SELECT count FROM ingest_stats").get()).toEqual({ count: 2 });
});

test("startFlushing flushes on its timer and once more when stopped", async () => {
  const { db, stats } = setup();
  const stop = stats.startFlushing(db, 5);
  stats.add(1, "received", 1);
  await Bun.sleep(30);
  expect(db.query("SELECT count FROM ingest_stats").get()).toEqual({ count: 1 });
  stats.add(1, "received", 1);
  stop();
  expect(db.query("SELECT count FROM ingest_stats").get()).toEqual({ count: 2 });
});
