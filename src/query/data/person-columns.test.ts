/**
 * Protects the person-property columns the worker keeps: loaded on first use, kept current from the
 * person_changes log (inserts, updates, deletions), reloaded when the log was pruned past what the
 * worker had read, own keys read before dotted walks, as audiences read traits, and sealed PII
 * traits opened with the key the worker is given.
 */
import { expect, test } from "bun:test";
import { freshDb } from "../../../test/helpers.ts";
import { createCrypto, opener } from "../../crypto/crypto.ts";
import { silentLogger } from "../../log.ts";
import { KEEP, prunePersonChanges } from "../person-changes.job.ts";
import { PersonColumns } from "./person-columns.ts";

function world() {
  const db = freshDb();
  const put = (id: number, traits: Record<string, unknown>) =>
    db.query("INSERT INTO persons (id, created_at, updated_at, traits) VALUES (?1, 0, 0, ?2) ON CONFLICT(id) DO UPDATE SET traits = ?2").run(id, JSON.stringify(traits));
  const cols = new PersonColumns();
  const read = (key: string) => {
    cols.refresh(db);
    const c = cols.column(db, key);
    return Array.from({ length: 6 }, (_, id) => (id < c.codes.length && c.codes[id] ? c.values[c.codes[id]! - 1] : undefined));
  };
  return { db, put, read, cols };
}

test("columns load on first use and follow inserts, updates and deletions", () => {
  const { db, put, read } = world();
  put(1, { city: "Shanghai", "a.b": 1, a: { b: 2, c: 3 } });
  put(2, { city: "Beijing" });
  expect(read("city")).toEqual([undefined, "Shanghai", "Beijing", undefined, undefined, undefined]);
  expect(read("a.b")).toEqual([undefined, 1, undefined, undefined, undefined, undefined]);
  expect(read("a.c")).toEqual([undefined, 3, undefined, undefined, undefined, undefined]);
  put(2, { city: "Shanghai" });
  put(5, { city: "Hangzhou" });
  db.query("DELETE FROM persons WHERE id = 1").run();
  expect(read("city")).toEqual([undefined, undefined, "Shanghai", undefined, undefined, "Hangzhou"]);
  // a deletion leaves no row naming the person in the log
  expect(db.query("SELECT count(*) AS n FROM person_changes WHERE person_id = 1").get()).toEqual({ n: 0 });
});

test("a worker behind a pruned log reloads its columns", async () => {
  const { db, put, read, cols } = world();
  put(1, { plan: "free" });
  expect(read("plan")[1]).toBe("free");
  const before = cols.version;
  put(1, { plan: "pro" });
  db.transaction(() => {
    for (let i = 0; i <= KEEP; i++) db.query("INSERT INTO person_changes (person_id) VALUES (3)").run();
  })();
  const ctx = { db, kdb: null as never, config: null as never, crypto: null as never, events: null as never, log: silentLogger, now: () => 0 };
  expect((await prunePersonChanges(ctx))).toEqual({ summary: "pruned 3 person changes", message: { key: "personChangesPrune", params: { changes: 3 } } });
  expect(db.query("SELECT min(seq) AS s FROM person_changes").get()).toEqual({ s: before + 3 });
  expect(read("plan")[1]).toBe("pro");
});

test("sealed PII traits are opened with the key, follow changes of the sealed column alone, and stay absent without it", () => {
  const db = freshDb();
  const crypto = createCrypto(new Uint8Array(32).fill(7));
  const seal = (v: unknown) => crypto.encrypt(JSON.stringify(v));
  const put = (id: number, traits: Record<string, unknown>, pii: Record<string, string> | null) =>
    db.query("INSERT INTO persons (id, created_at, updated_at, traits, pii) VALUES (?1, 0, 0, ?2, ?3) ON CONFLICT(id) DO UPDATE SET traits = ?2, pii = ?3")
      .run(id, JSON.stringify(traits), pii && JSON.stringify(pii));
  const reader = (open?: (s: string) => string) => {
    const cols = new PersonColumns(open);
    return (key: string) => {
      cols.refresh(db);
      const c = cols.column(db, key);
      return [1, 2, 3].map((id) => (id < c.codes.length && c.codes[id] ? c.values[c.codes[id]! - 1] : undefined));
    };
  };
  put(1, {}, { email: seal("ann@example.com") }); // a person whose only trait is sealed
  put(2, { city: "Shanghai" }, { phone: seal("+8613800000000") });
  put(3, { email: "not sealed, never read" }, null);
  const worker = reader(opener(crypto.openingKey())); // as the store worker opens them
  expect(worker("email")).toEqual(["ann@example.com", undefined, undefined]);
  expect(worker("phone")).toEqual([undefined, "+8613800000000", undefined]);
  put(1, {}, { email: seal("ann@corp.example") }); // only the sealed column changes
  expect(worker("email")).toEqual(["ann@corp.example", undefined, undefined]);
  expect(reader()("email")).toEqual([undefined, undefined, undefined]);
  const otherKey = opener(createCrypto(new Uint8Array(32).fill(8)).openingKey());
  expect(reader(otherKey)("email")).toEqual([undefined, undefined, undefined]);
});
