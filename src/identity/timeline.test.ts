/**
 * Protects the person timeline (GET /api/persons/:id/events): every event of every identity of the person,
 * from segments and tail, newest first, with properties; pages that neither repeat nor skip rows, even when
 * compaction rewrites the store between two pages; and an event-name filter.
 */
import { expect, test } from "bun:test";
import { DEFAULT_COMPACTION, planCompaction } from "../store/compaction.ts";
import { EventStore } from "../store/event-store.ts";
import { StoreReader } from "../store/reader.ts";
import type { IdentityInput } from "./identity-input.ts";
import { identityDb, storeEvent } from "./test-helpers.ts";
import { personTimeline, type TimelineCursor, type TimelineRow } from "./timeline.ts";

const T0 = Date.UTC(2024, 2, 1, 10);
const HOUR = 3_600_000;

test("a cross-channel timeline pages newest first across segments and tail, stable under compaction", async () => {
  const { db, identity } = identityDb();
  const store = new EventStore<IdentityInput>(db, identity.resolve, { delayMs: 0 });
  const reader = new StoreReader(db);
  const compact = () => store.apply(reader.read(() => planCompaction(reader, DEFAULT_COMPACTION, store.seal()))!);
  const wechat: IdentityInput = { type: "track", identifiers: [{ type: "wx_openid:mp1", id: "o-1" }, { type: "wx_unionid", id: "U-1" }] };
  const sent: { ts: number; event: string; n: number }[] = [];
  let n = 0;
  const send = async (ts: number, event: string, input: IdentityInput) => {
    sent.push({ ts, event, n: ++n });
    await store.writer.append([storeEvent(input, { ts, event, props: { n, channel: input.identifiers ? "wechat" : "app" } })]);
  };
  // Three days, two channels; another person's events interleave and must not show up.
  for (let d = 0; d < 3; d++) {
    await send(T0 + d * 24 * HOUR, "open_app", { type: "track", userId: "u-1", anonymousId: "a-1" });
    await send(T0 + d * 24 * HOUR + HOUR, "view_item", wechat);
    await send(T0 + d * 24 * HOUR + HOUR, "view_item", { type: "track", userId: "stranger" });
    await send(T0 + d * 24 * HOUR + 2 * HOUR, "buy", { type: "identify", userId: "u-1", externalIds: [{ type: "wx_unionid", id: "U-1" }] });
    if (d < 2) compact();
  }
  const person = identity.lookup("user_id", "u-1")!.person;
  expect(identity.lookup("wx_openid:mp1", "o-1")!.person).toBe(person);
  const ids = identity.graph.index.members(person);
  const mine = sent.filter((_, k) => k % 4 !== 2).sort((a, b) => b.ts - a.ts || b.n - a.n);

  const pages: TimelineRow[][] = [];
  let before: TimelineCursor | null = null;
  do {
    const page = reader.read(() => personTimeline(reader, { identities: ids, before, limit: 4, events: null }));
    pages.push(page.rows);
    before = page.next;
    if (pages.length === 1) compact();
  } while (before);
  const rows = pages.flat();
  expect(pages.map((p) => p.length)).toEqual([4, 4, 1]);
  expect(rows.map((r) => r.ts)).toEqual(mine.map((m) => m.ts));
  expect(new Set(rows.map((r) => r.props.n)).size).toBe(9);
  expect(rows.every((r) => ids.includes(r.identity) && r.source === 1)).toBe(true);
  expect(rows[0]).toMatchObject({ event: "buy", props: { channel: "app" } });

  const buys = reader.read(() => personTimeline(reader, { identities: ids, before: null, limit: 50, events: ["buy", "nope"] }));
  expect(buys.rows.map((r) => r.event)).toEqual(["buy", "buy", "buy"]);
  expect(buys.next).toBeNull();
});
