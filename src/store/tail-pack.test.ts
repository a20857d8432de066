/**
 * Tail packs keep every field of every event exactly, in seq order, and a database written with a row per
 * event is packed by its migration without losing or reordering one.
 */
import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { migrate } from "../db/migrate.ts";
import { migrations } from "../../migrations/index.ts";
import { PackBuilder, PackView, unpack, type PackRow } from "./tail-pack.ts";

describe("tail packs", () => {
  test("round-trip every field, with seq gaps, 64-bit times, full 32-bit hashes and any properties", () => {
    const b = new PackBuilder();
    const events = Array.from({ length: 3000 }, (_, i) => ({
      seq: 10 + i * 3, ts: 1_790_000_000_123 + i, event: i % 7, identity: 4_000_000_000 + i, source: 65_535 + i,
      hi: 0xffff_ffff - i, lo: i, receivedAt: 1_790_000_001_000, props: i % 2 ? { path: `/p/${i}`, n: i, nested: { a: [1, "é\n"] } } : {},
    }));
    for (const e of events) b.add(e.seq, e.ts, e.event, e.identity, e.source, e.hi, e.lo, e.receivedAt, e.props);
    const p = b.take();
    expect(b.length).toBe(0);
    expect({ seq: p.seq, n: p.n, bytes: p.cols.byteLength }).toEqual({ seq: 10 + 2999 * 3, n: 3000, bytes: 3000 * 40 });
    expect(unpack(p)).toEqual(events.map((e) => ({ seq: e.seq, ts: e.ts, event: e.event, identity: e.identity, source: e.source, msgHi: e.hi, msgLo: e.lo, props: e.props })));
    // A blob at an odd offset (SQLite may hand one out inside a larger buffer) is read the same.
    const shifted = new Uint8Array(p.cols.byteLength + 3);
    shifted.set(p.cols, 3);
    const v = new PackView({ seq: p.seq, n: p.n, cols: shifted.subarray(3) });
    expect([v.seq(0), v.ts[2999], v.receivedAt[1], v.hi[0], v.source[5]]).toEqual([10, 1_790_000_000_123 + 2999, 1_790_000_001_000, 0xffff_ffff, 65_540]);
    expect(() => new PackView({ seq: 1, n: 2, cols: new Uint8Array(40) })).toThrow("40 bytes for 2 events");
  });

  test("the migration packs a tail written a row per event, in seq order, 5,000 per pack", () => {
    const db = new Database(":memory:");
    const before = migrations.slice(0, migrations.findIndex((m) => m.name === "0100_tail_packs"));
    migrate(db, before);
    const insert = db.query("INSERT INTO events_tail_1 (seq, ts, event, identity, source, msg_hi, msg_lo, received_at, props) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (let seq = 1; seq <= 12_000; seq++) insert.run(seq, 1_790_000_000_000 + seq, seq % 5, seq * 2, 1, seq % 2 ? -1 : 7, seq, 1_790_000_100_000, JSON.stringify({ seq }));
    migrate(db);
    expect(db.query("SELECT count(*) AS n FROM events_tail_0").get()).toEqual({ n: 0 });
    const packs = db.query<PackRow, []>("SELECT seq, n, cols, props FROM events_tail_1 ORDER BY seq").all();
    expect(packs.map((p) => [p.seq, p.n])).toEqual([[5000, 5000], [10_000, 5000], [12_000, 2000]]);
    const rows = packs.flatMap(unpack);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 12_000 }, (_, i) => i + 1));
    // A hash SQLite held as a negative integer comes back as the unsigned 32 bits the dedup works with.
    expect(rows[0]).toEqual({ seq: 1, ts: 1_790_000_000_001, event: 1, identity: 2, source: 1, msgHi: 0xffff_ffff, msgLo: 1, props: { seq: 1 } });
    expect(rows[11_999]!.props).toEqual({ seq: 12_000 });
  });
});
