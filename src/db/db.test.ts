/**
 * Protects the two storage foundations everything else assumes: migrations apply once and in order,
 * and Kysely over bun:sqlite really returns rows (the built-in dialect silently returned [] on Bun 1.3).
 */
import { expect, test } from "bun:test";
import { sql } from "kysely";
import { freshDb } from "../../test/helpers.ts";
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
