/**
 * Protects `tessera import`: a multi-MB NDJSON file streams through the same validation as the HTTP routes,
 * in bounded batches, with line-numbered rejections (bad JSON, bad UTF-8, invalid messages, over-long lines
 * skipped without buffering), CRLF/blank/unterminated lines handled, progress reported up to the file size,
 * deterministic messageIds so a re-import stores nothing twice, gzip input, and waiting out an overloaded store.
 */
import { afterAll, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { tempDir } from "../../test/helpers.ts";
import { source } from "./ingest.fixtures.ts";
import { importNdjson, type ImportProgress } from "./import.ts";
import type { Message } from "./message.ts";
import { Overloaded } from "./sink.ts";
import { IngestStats } from "./stats.ts";

const tmp = tempDir("tessera-import-");
afterAll(() => tmp.cleanup());

const LINES = 30_000;
const BAD = new Map<number, string>([
  [7, "line is not valid JSON"],
  [1000, "userId: every message needs a userId or an anonymousId"],
  [2000, "line is not valid UTF-8"],
  [3000, "message: the line is longer than the 32768-byte message limit"],
  [4000, "type: required in a batch item"],
]);

async function writeFixture(): Promise<{ path: string; size: number }> {
  const parts: BlobPart[] = [];
  for (let i = 1; i <= LINES; i++) {
    const eol = i % 3 === 0 ? "\r\n" : "\n";
    if (i === 7) parts.push(`{"type":"track",${eol}`);
    else if (i === 1000) parts.push(`{"type":"track","event":"x"}${eol}`);
    else if (i === 2000) parts.push(new Uint8Array([0x7b, 0xff, 0x7d, 0x0a]));
    else if (i === 3000) parts.push(`{"type":"track","event":"big","userId":"u","properties":{"s":"${"x".repeat(40_000)}"}}${eol}`);
    else if (i === 4000) parts.push(`{"event":"no type","userId":"u"}${eol}`);
    else if (i === 5000) parts.push(`   ${eol}`);
    else {
      const msg = {
        type: i % 10 === 0 ? "identify" : "track",
        event: "Order Completed",
        userId: `user-${i % 997}`,
        ...(i % 2 === 0 ? { messageId: `m-${i}` } : {}),
        timestamp: new Date(Date.UTC(2023, 0, 1) + i * 60_000).toISOString(),
        properties: { order: i, total: (i % 500) + 0.99, items: ["a", "b"], note: "一二三四五六七八九十".repeat(10) },
        traits: { plan: "pro" },
      };
      parts.push(JSON.stringify(msg) + (i === LINES ? "" : eol));
    }
  }
  const path = join(tmp.dir, "events.ndjson");
  await Bun.write(path, new Blob(parts));
  return { path, size: Bun.file(path).size };
}

function collector() {
  const batches: Message[][] = [];
  return { batches, sink: async (m: readonly Message[]) => void batches.push([...m]) };
}

test("imports a multi-MB file with line-numbered rejections, bounded batches and progress", async () => {
  const { path, size } = await writeFixture();
  expect(size).toBeGreaterThan(5 * 1024 * 1024);
  const c = collector();
  const progress: ImportProgress[] = [];
  const stats = new IngestStats();
  const src = source();
  const r = await importNdjson(path, { source: src, sink: c.sink, batchSize: 2000, onProgress: (p) => progress.push(p), progressEveryMs: 0, stats });

  const stored = c.batches.flat();
  const expectedAccepted = LINES - BAD.size - 1; // minus the blank line
  expect([r.lines, r.accepted, r.rejected, r.dropped]).toEqual([LINES, expectedAccepted, BAD.size, 0]);
  expect(stored).toHaveLength(expectedAccepted);
  expect(Math.max(...c.batches.map((b) => b.length))).toBeLessThanOrEqual(2000);
  expect(r.errors.map((e) => e.line)).toEqual([...BAD.keys()]);
  for (const e of r.errors) expect(e.error).toStartWith(BAD.get(e.line)!);

  expect(stored.every((m) => m.wire === "import" && m.sourceId === src.id)).toBe(true);
  const byOrder = new Map(stored.map((m) => [m.properties.order, m]));
  expect(byOrder.get(8)).toMatchObject({ messageId: "m-8", timestamp: Date.UTC(2023, 0, 1) + 8 * 60_000, userId: "user-8" });
  expect(byOrder.get(9)!.messageId).toMatch(/^import-[0-9a-f]{32}$/);
  expect(byOrder.get(10)).toMatchObject({ type: "identify", traits: { set: { plan: "pro" } } });

  expect(progress.length).toBeGreaterThan(2);
  for (let i = 1; i < progress.length; i++) expect(progress[i]!.bytes).toBeGreaterThanOrEqual(progress[i - 1]!.bytes);
  expect(progress.at(-1)).toEqual({ lines: r.lines, accepted: r.accepted, duplicates: 0, rejected: r.rejected, dropped: 0, bytes: size, totalBytes: size });
  const counts = Object.fromEntries(stats.pendingRows().map((x) => [x.outcome, x.count]));
  expect(counts).toEqual({ received: LINES - 1, accepted: expectedAccepted, invalid: 4, too_large: 1 });

  // Re-importing yields the same messageIds, so the store's dedup makes it a no-op.
  const again = collector();
  await importNdjson(path, { source: src, sink: again.sink, batchSize: 5000 });
  expect(again.batches.flat().map((m) => m.messageId)).toEqual(stored.map((m) => m.messageId));
});

test("gzip input, by name or by magic bytes, reports compressed bytes", async () => {
  const text = Array.from({ length: 500 }, (_, i) => JSON.stringify({ type: "track", event: "e", anonymousId: `a${i}` })).join("\n");
  const gz = gzipSync(text);
  const named = join(tmp.dir, "e.ndjson.gz");
  const unnamed = join(tmp.dir, "e.bin");
  await Bun.write(named, gz);
  await Bun.write(unnamed, gz);
  for (const path of [named, unnamed]) {
    const c = collector();
    const r = await importNdjson(path, { source: source(), sink: c.sink });
    expect([r.accepted, r.rejected, r.bytes, r.totalBytes]).toEqual([500, 0, gz.length, gz.length]);
  }
});

test("an overloaded store is waited out, a broken one fails the import", async () => {
  const lines = `${JSON.stringify({ type: "track", event: "e", userId: "u" })}\n`;
  let refusals = 1;
  const seen: Message[] = [];
  const r = await importNdjson(new Blob([lines]).stream(), {
    source: source(),
    sink: async (m) => {
      if (refusals-- > 0) throw new Overloaded("busy", 0.01);
      seen.push(...m);
    },
  });
  expect([r.accepted, seen.length, refusals]).toEqual([1, 1, -1]);

  await expect(
    importNdjson(new Blob([lines]).stream(), { source: source(), sink: async () => Promise.reject(new Error("disk I/O error")) }),
  ).rejects.toThrow("disk I/O error");
});

test("policy drops are counted apart from rejections", async () => {
  const lines = [
    { type: "track", event: "e", userId: "gone" },
    { type: "track", event: "e", userId: "kept" },
    { type: "track", event: "e", userId: "x", context: { consent: { categoryPreferences: { Analytics: false } } } },
  ].map((l) => JSON.stringify(l)).join("\n");
  const c = collector();
  const r = await importNdjson(new Blob([lines]).stream(), {
    source: source(),
    sink: c.sink,
    isSuppressed: (ids) => ids.some((i) => i.id === "gone"),
  });
  expect([r.accepted, r.rejected, r.dropped]).toEqual([1, 0, 2]);
  expect(c.batches.flat().map((m) => m.userId)).toEqual(["kept"]);
});
