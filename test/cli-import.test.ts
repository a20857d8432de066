/**
 * The data-loading commands as an operator runs them: `tessera demo` loads every channel through its own
 * source with cross-channel identities resolved, `tessera import FILE.ndjson` stores a file's events with
 * the same validation as HTTP (bad lines reported by number), and importing the same file again stores
 * nothing twice; `tessera import -` reads stdin; progress written to a pipe or log file is plain lines, not
 * carriage-return redraws piling up into one. Both refuse to run next to a server holding the data directory.
 */
import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { lockDataDir } from "../src/data-lock.ts";
import { openReader } from "../src/db/sqlite.ts";
import { tempDir } from "./helpers.ts";

const scratch = tempDir("tessera-cli-import-");
afterAll(() => scratch.cleanup());

function tessera(args: string[], dataDir: string, stdin?: Uint8Array) {
  const p = Bun.spawnSync([process.execPath, "src/main.ts", ...args], {
    cwd: `${import.meta.dir}/..`,
    stdin,
    env: { ...process.env, TESSERA_DATA_DIR: dataDir, TESSERA_LOG: "error" },
  });
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
}

function count(dataDir: string, sql: string): number {
  const db = openReader(`${dataDir}/tessera.db`);
  try {
    return db.query<{ n: number }, []>(sql).get()!.n;
  } finally {
    db.close();
  }
}

const EVENTS = "SELECT (SELECT coalesce(sum(n), 0) FROM events_tail_0) + (SELECT coalesce(sum(n), 0) FROM events_tail_1) + (SELECT coalesce(sum(rows), 0) FROM segments) AS n";

test("tessera demo loads seven channel sources and stitches people across them", () => {
  const dir = `${scratch.dir}/demo`;
  const r = tessera(["demo", "--persons", "300"], dir);
  expect(r.code).toBe(0);
  expect(r.out).toContain("demo data loaded");
  // Each source says what it is, so a person's timeline shows a Tmall order as Tmall's.
  const db = openReader(`${dir}/tessera.db`);
  try {
    expect(db.query<{ name: string; kind: string }, []>("SELECT name, kind FROM sources WHERE name != 'tessera' ORDER BY id").all()).toEqual([
      { name: "Website", kind: "web" }, { name: "App", kind: "app" }, { name: "WeChat Mini Program", kind: "wx_mini" },
      { name: "WeChat Official Account", kind: "wx_oa" }, { name: "Douyin", kind: "douyin" }, { name: "Tmall", kind: "tmall" }, { name: "JD", kind: "jd" },
    ]);
  } finally {
    db.close();
  }
  const events = count(dir, EVENTS);
  expect(events).toBeGreaterThan(3000);
  // 300 generated people, several channels each: resolution must leave far fewer persons than identities.
  expect(count(dir, "SELECT count(*) AS n FROM persons WHERE merged_into IS NULL")).toBeLessThan(count(dir, "SELECT count(*) AS n FROM identities") / 2);
  // The Tags and Audiences pages have something to show: the demo's tags and packs, computed by one nightly run.
  const shown = () => {
    const d = openReader(`${dir}/tessera.db`);
    try {
      return {
        tags: d.query<{ name: string; coverage: number }, []>("SELECT name, coverage FROM tags ORDER BY id").all().map((t) => [t.name, t.coverage > 0]),
        packs: d.query<{ name: string; size: number | null }, []>("SELECT name, size FROM audiences ORDER BY id").all().map((a) => [a.name, (a.size ?? 0) > 0]),
      };
    } finally {
      d.close();
    }
  };
  const seeded = shown();
  expect(seeded).toEqual({
    tags: [["rfm", true], ["lifecycle", true], ["repeat_buyer", true]],
    packs: [["High-value repeat buyers", true], ["Abandoned carts (30 days)", true], ["Dormant customers", true]],
  });
  // The Jobs page shows that run as the nightly job's last one.
  const d = openReader(`${dir}/tessera.db`);
  try {
    expect(d.query<{ last_status: string; last_trigger: string }, []>("SELECT last_status, last_trigger FROM jobs WHERE name = 'audiences-nightly'").get()).toEqual({ last_status: "ok", last_trigger: "manual" });
  } finally {
    d.close();
  }
  // Running the demo again adds nothing.
  expect(tessera(["demo", "--persons", "300"], dir).code).toBe(0);
  expect(shown()).toEqual(seeded);
});

test("tessera import stores a file once, reports bad lines, and a re-import stores nothing", () => {
  const dir = `${scratch.dir}/import`;
  const file = `${scratch.dir}/events.ndjson`;
  const lines = Array.from({ length: 500 }, (_, i) => JSON.stringify({ type: "track", event: "imported", userId: `u${i % 50}`, timestamp: "2024-05-01T10:00:00Z", properties: { i } }));
  lines.splice(10, 0, "{not json", JSON.stringify({ type: "track", event: "no_id" }));
  writeFileSync(file, lines.join("\n") + "\n");
  const first = tessera(["import", file, "--source", "backfill"], dir);
  expect(first.code).toBe(0);
  expect(first.out).toContain("imported 500 of 502 lines");
  expect(first.err).toContain("line 11");
  expect(first.err).toContain("line 12");
  expect(count(dir, EVENTS)).toBe(500);
  const again = tessera(["import", file, "--source", "backfill"], dir);
  expect(again.code).toBe(0);
  expect(again.out).toContain("imported 500 of 502 lines into source \"backfill\", 500 of them already stored");
  expect(count(dir, EVENTS)).toBe(500);
});

test("import refuses a data directory another live process holds; a stale pid file does not block", () => {
  const dir = `${scratch.dir}/locked`;
  expect(tessera(["migrate"], dir).code).toBe(0);
  // This test process plays the running server: it holds the data directory's lock.
  const release = lockDataDir(dir);
  try {
    const r = tessera(["import", `${scratch.dir}/events.ndjson`], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`another Tessera process (pid ${process.pid})`);
  } finally {
    release();
  }
  // A pid file left behind (kill -9, a reboot, another container's pid 1) names a process that holds no lock.
  writeFileSync(`${dir}/tessera.pid`, "1");
  expect(tessera(["migrate"], dir).code).toBe(0);
});

test("tessera import - reads stdin (gzip too), and progress to a pipe is plain lines", () => {
  const dir = `${scratch.dir}/stdin`;
  const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ type: "track", event: "piped", userId: `p${i % 30}`, timestamp: "2024-05-02T10:00:00Z", properties: { i } }));
  const r = tessera(["import", "-", "--source", "pipe"], dir, Buffer.from(lines.join("\n") + "\n"));
  expect(r.err).not.toContain("no such file");
  expect(r.code).toBe(0);
  expect(r.out).toContain('imported 300 of 300 lines into source "pipe"');
  expect(count(dir, EVENTS)).toBe(300);
  // stderr is a pipe here, not a terminal: no redraws, each progress line ends with a newline.
  expect(r.err).not.toContain("\r");
  const progress = r.err.split("\n").filter((l) => l.includes(" lines, "));
  expect(progress.length).toBeGreaterThan(0);
  for (const l of progress) expect(l).toMatch(/^\d+ lines, \d+ stored, \d+ rejected, \d+ dropped, \d+\/s$/);

  const more = lines.map((l) => l.replace("piped", "gzipped"));
  const gz = tessera(["import", "-", "--source", "pipe"], dir, Bun.gzipSync(Buffer.from(more.join("\n") + "\n")));
  expect(gz.code).toBe(0);
  expect(count(dir, EVENTS)).toBe(600);
});
