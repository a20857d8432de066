/**
 * Protects the source page's reads, end to end from the real ingestion route: a source's live stream
 * (latest arrivals, then the latest by event time once compacted) and its 24-hour counters; an id that is
 * no source is 404 rather than an empty answer a dashboard would show as "no activity".
 */
import { describe, expect, test } from "bun:test";
import { testApp } from "../../test/app-helpers.ts";
import type { Source } from "../sources/sources.ts";
import type { OpName } from "../store/reader-ops.ts";
import type { RecentEvent } from "./recent-events.ts";

const DAY = 86_400_000;

async function seeded() {
  const t = testApp({ env: { TESSERA_TIMEZONE: "UTC" } });
  const admin = await t.asUser("admin");
  const source = (await (await t.call("POST", "/api/sources", { headers: admin.headers, json: { name: "web" } })).json()) as Source;
  const at = (daysAgo: number) => new Date(t.clock.now - daysAgo * DAY).toISOString();
  const ev = (userId: string, event: string, daysAgo: number, properties: Record<string, unknown>) => ({ type: "track", userId, event, timestamp: at(daysAgo), properties });
  const batch = [
    ev("old", "view", 40, { shop: "tmall" }), // first seen long ago on tmall
    ev("old", "order_completed", 3, { shop: "jd", revenue: 100 }),
    ev("new1", "view", 2, { shop: "jd" }), // new in range, first on jd
    ev("new1", "order_completed", 1, { shop: "jd", revenue: "50.5" }),
    ev("new1", "view", 1, { shop: "tmall" }),
    ev("new2", "view", 1, {}), // no channel
    ev("new2", "order_completed", 1, { revenue: 20 }),
  ];
  // A second apart in batch order, so "latest" has one answer.
  batch.forEach((e, i) => (e.timestamp = new Date(Date.parse(e.timestamp) - i * 1000).toISOString()));
  const res = await t.call("POST", "/v1/batch", { headers: { authorization: `Basic ${btoa(`${source.writeKey}:`)}` }, json: { batch } });
  expect(res.status).toBe(200);
  return { t, admin, source };
}

describe("a source's activity", () => {
  test("latest arrivals first, and the counters of the last 24 hours", async () => {
    const { t, admin, source } = await seeded();
    const recent = (await (await t.call("GET", `/api/sources/${source.id}/recent?limit=3`, { headers: admin.headers })).json()) as { results: RecentEvent[] };
    // Just arrived, so still in the tail: newest arrival first.
    expect(recent.results.map((e) => [e.event, e.properties.revenue, e.properties.shop])).toEqual([["order_completed", 20, undefined], ["view", undefined, undefined], ["view", undefined, "tmall"]]);
    expect(recent.results[0]!.person).toBeGreaterThan(0);
    // Once compacted into segments, the latest by event time.
    await t.deps.events.store.compactNow();
    const later = (await (await t.call("GET", `/api/sources/${source.id}/recent?limit=3`, { headers: admin.headers })).json()) as { results: RecentEvent[] };
    expect(later.results.map((e) => [e.event, e.properties.shop])).toEqual([["order_completed", "jd"], ["view", "tmall"], ["view", undefined]]);
    const stats = (await (await t.call("GET", `/api/sources/${source.id}/stats`, { headers: admin.headers })).json()) as { results: { received: number; accepted: number }[] };
    expect(stats.results.reduce((s, m) => s + m.received, 0)).toBe(7);
    expect(stats.results.reduce((s, m) => s + m.accepted, 0)).toBe(7);
  });

  test.each(["stats", "recent", "rejections", "stream"])("/%s of a source that does not exist is 404, not an empty 200", async (what) => {
    const { t, admin, source } = await seeded();
    const res = await t.call("GET", `/api/sources/${source.id + 100}/${what}`, { headers: admin.headers });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "no source with that id" });
  });
});

describe("the live stream (server-sent events)", () => {
  /** sse reads a response body's server-sent messages one at a time. */
  function sse(res: Response) {
    const reader = res.body!.getReader();
    const ready: { event: string; data: unknown }[] = [];
    let text = "";
    return {
      async next(): Promise<{ event: string; data: unknown }> {
        while (ready.length === 0) {
          const { value, done } = await reader.read();
          if (done) throw new Error("the stream ended");
          text += new TextDecoder().decode(value);
          let end: number;
          while ((end = text.indexOf("\n\n")) >= 0) {
            const block = text.slice(0, end);
            text = text.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (data !== undefined) ready.push({ event, data: JSON.parse(data) });
          }
        }
        return ready.shift()!;
      },
      close: () => reader.cancel(),
    };
  }

  async function open() {
    const { t, admin, source } = await seeded();
    const res = await t.call("GET", `/api/sources/${source.id}/stream`, { headers: admin.headers });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const send = (key: string, event: string) =>
      t.call("POST", "/v1/track", { headers: { authorization: `Basic ${btoa(`${key}:`)}` }, json: { userId: "live-1", event, properties: { n: 1 } } });
    return { t, admin, source, stream: sse(res), send };
  }

  test("starts with the latest events, then pushes each committed event of that source only", async () => {
    const { t, admin, source, stream, send } = await open();
    const other = (await (await t.call("POST", "/api/sources", { headers: admin.headers, json: { name: "app" } })).json()) as Source;
    const snapshot = await stream.next();
    expect(snapshot.event).toBe("snapshot");
    expect((snapshot.data as RecentEvent[]).length).toBe(7);
    expect((await send(other.writeKey, "elsewhere")).status).toBe(200);
    expect((await send(source.writeKey, "just_now")).status).toBe(200);
    const pushed = await stream.next();
    expect(pushed.event).toBe("events");
    expect((pushed.data as RecentEvent[]).map((e) => [e.event, e.properties.n])).toEqual([["just_now", 1]]);
    expect((pushed.data as RecentEvent[])[0]!.person).toBeGreaterThan(0);
    await stream.close();
  });

  test("an event committed after the stream listens and before its snapshot is read is shown once", async () => {
    const { t, admin, source } = await seeded();
    const send = (event: string) =>
      t.call("POST", "/v1/track", { headers: { authorization: `Basic ${btoa(`${source.writeKey}:`)}` }, json: { userId: "live-1", event } });
    // Commit "racer" exactly in that gap: the stream has subscribed and is about to read its snapshot.
    const reader = t.deps.events.store.reader;
    const call = reader.call.bind(reader);
    reader.call = (async (op: OpName, args: never) => {
      if (op === "recentEvents") {
        reader.call = call;
        expect((await send("racer")).status).toBe(200);
      }
      return call(op, args);
    }) as typeof reader.call;
    const stream = sse(await t.call("GET", `/api/sources/${source.id}/stream`, { headers: admin.headers }));
    const snapshot = (await stream.next()).data as RecentEvent[];
    expect(snapshot.map((e) => e.event)).toContain("racer");
    expect((await send("after")).status).toBe(200);
    const pushed = (await stream.next()).data as RecentEvent[];
    expect(pushed.map((e) => e.event)).toEqual(["after"]);
    await stream.close();
  });

  test("analysts may watch, anonymous callers may not", async () => {
    const { t, source } = await seeded();
    expect((await t.call("GET", `/api/sources/${source.id}/stream`)).status).toBe(401);
    const analyst = await t.asToken("analyst");
    const res = await t.call("GET", `/api/sources/${source.id}/stream`, { headers: analyst.headers });
    expect(res.status).toBe(200);
    await res.body!.cancel();
  });
});
