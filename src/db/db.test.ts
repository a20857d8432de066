/**
 * Protects the storage foundations everything else assumes: migrations apply once and in order, Kysely
 * over bun:sqlite really returns rows (the built-in dialect silently returned [] on Bun 1.3), and the
 * writer's WAL restart never waits.
 */
import { expect, test } from "bun:test";
import { statSync } from "node:fs";
import { sql } from "kysely";
import { freshDb, onFile } from "../../test/helpers.ts";
import { openReader, restartWal } from "./sqlite.ts";
import { createKysely } from "./kysely.ts";
import { migrate } from "./migrate.ts";
import { migrations } from "../../migrations/index.ts";

test("migrations apply once and are recorded", () => {
  const db = freshDb();
  expect(migrate(db)).toEqual([]);
  const names = db.query<{ name: string }, []>("SELECT name FROM _migrations ORDER BY name").all();
  expect(names.map((r) => r.name)).toEqual(migrations.map((m) => m.name));
});

test("every migration file is in the static list", async () => {
  const files = [...new Bun.Glob("[0-9]*.ts").scanSync(`${import.meta.dir}/../../migrations`)];
  expect(files.map((f) => f.replace(/\.ts$/, "")).sort()).toEqual(migrations.map((m) => m.name));
});

test("a database migrated by a newer version is refused with a clear message", () => {
  const db = freshDb();
  db.query("INSERT INTO _migrations VALUES ('9999_future', 0)").run();
  expect(() => migrate(db)).toThrow(/newer Tessera/);
});

test("Kysely over bun:sqlite returns rows from SELECT and RETURNING", async () => {
  const db = freshDb();
  const k = createKysely(db);
  const inserted = await k
    .insertInto("settings")
    .values({ key: "timezone", value: "UTC" })
    .returning(["key", "value"])
    .execute();
  expect(inserted).toEqual([{ key: "timezone", value: "UTC" }]);
  const rows = await k.selectFrom("settings").selectAll().execute();
  expect(rows).toEqual([{ key: "timezone", value: "UTC" }]);
  const n = await sql<{ n: number }>`SELECT count(*) AS n FROM settings`.execute(k);
  expect(n.rows[0]?.n).toBe(1);
});

test("restartWal starts the WAL over, and never waits: not inside a transaction, not under an older snapshot", () =>
  onFile(async (file, db) => {
    const frames = () => db.query<{ log: number }, []>("PRAGMA wal_checkpoint(PASSIVE)").get()!.log;
    db.exec("PRAGMA wal_autocheckpoint = 0");
    db.exec("CREATE TABLE t (x)");
    db.query("INSERT INTO t VALUES (?)").run("a".repeat(10_000));
    expect(frames()).toBeGreaterThan(0);

    db.exec("BEGIN");
    expect(restartWal(db)).toBe(false);
    db.exec("COMMIT");

    // A reader inside a read transaction on a snapshot older than the WAL's end: the restart gives up at once.
    const reader = openReader(file);
    reader.exec("BEGIN");
    reader.query("SELECT count(*) FROM t").get();
    db.query("INSERT INTO t VALUES (?)").run("b");
    const t0 = performance.now();
    expect(restartWal(db)).toBe(false);
    expect(performance.now() - t0).toBeLessThan(1_000); // the connection's busy_timeout is 10 s
    reader.exec("COMMIT");

    expect(restartWal(db)).toBe(true);
    db.query("INSERT INTO t VALUES (1)").run();
    expect(frames()).toBeLessThanOrEqual(2);
    expect(db.query<{ n: number }, []>("SELECT count(*) AS n FROM t").get()!.n).toBe(3);
    // The busy timeout is back for everything else.
    expect(db.query<{ timeout: number }, []>("PRAGMA busy_timeout").get()!.timeout).toBe(10_000);
    // Truncating empties the file (a restart alone keeps its size, to be written over).
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
    expect(restartWal(db, true)).toBe(true);
    expect(statSync(`${file}-wal`).size).toBe(0);
    reader.close();
  }));
