/**
 * Protects `tessera backup`: the copy is taken from one consistent snapshot while the writer keeps
 * working (committed rows in, uncommitted rows out), opens as a sound SQLite file with every table, and
 * never overwrites an existing file.
 */
import { expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { tempDir } from "../../test/helpers.ts";
import { backupDatabase } from "./backup.ts";
import { migrate } from "./migrate.ts";
import { integrityCheck, openReader, openWriter } from "./sqlite.ts";

test("a backup taken during an open write transaction holds exactly the committed rows", () => {
  const { dir, cleanup } = tempDir();
  try {
    const writer = openWriter(join(dir, "tessera.db"));
    migrate(writer);
    const insert = writer.query("INSERT INTO audit_log (ts, actor, action) VALUES (?, 'test', ?)");
    writer.transaction(() => {
      for (let i = 0; i < 1000; i++) insert.run(i, `committed-${i}`);
    })();
    writer.exec("BEGIN");
    insert.run(2000, "uncommitted");

    const reader = openReader(join(dir, "tessera.db"));
    const target = join(dir, "backup.db");
    const { bytes } = backupDatabase(reader, target);
    writer.exec("COMMIT");
    expect(bytes).toBeGreaterThan(0);

    const copy = new Database(target, { readonly: true });
    expect(integrityCheck(copy)).toBeNull();
    expect(copy.query<{ n: number }, []>("SELECT count(*) AS n FROM audit_log").get()?.n).toBe(1000);
    expect(copy.query("SELECT 1 FROM audit_log WHERE action = 'uncommitted'").get()).toBeNull();
    const tables = copy.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(["_migrations", "api_tokens", "audit_log", "jobs", "sessions", "settings", "sources", "users"]));
    copy.close();

    expect(() => backupDatabase(reader, target)).toThrow(/already exists/);
    reader.close();
    writer.close();
  } finally {
    cleanup();
  }
});
