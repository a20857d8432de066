/**
 * A source's activity for its page, mounted beside the sources routes at /api/sources: the ingest
 * counters of the last 24 hours (received, stored, rejected by reason, per minute), its latest events,
 * and the live stream: server-sent events, first the latest 100, then each event as it is committed.
 */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { Message } from "../ingest/message.ts";
import { z } from "zod";
import type { AppDeps } from "../http/deps.ts";
import { endpoint } from "../http/endpoint.ts";
import type { AppEnv } from "../http/env.ts";
import type { RecentEvent } from "./recent-events.ts";

const IdParam = z.coerce.number().int().positive();
const RecentQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });

/** HEARTBEAT_MS is how long an idle stream waits before sending an empty batch. */
const HEARTBEAT_MS = 5_000;

const NO_SOURCE = { error: "no source with that id" } as const;

/** activityRoutes is mounted at /api/sources. */
export function activityRoutes(deps: AppDeps) {
  const tags = ["sources"];
  // The counters and the store answer "nothing" for any id, so an unknown source has to be asked about here.
  const known = async (id: number) => (await deps.kdb.selectFrom("sources").select("id").where("id", "=", id).executeTakeFirst()) !== undefined;
  return new Hono<AppEnv>()
    .get("/:id/stats", endpoint({ summary: "Received, stored and rejected events by reason per minute, last 24 hours", tags, access: "read" }), async (c) => {
      const source = IdParam.parse(c.req.param("id"));
      if (!(await known(source))) return c.json(NO_SOURCE, 404);
      return c.json({ results: deps.events.stats.lastDay(deps.db, source) }, 200);
    })
    .get("/:id/rejections", endpoint({ summary: "The latest refused items of a source (newest 50, since the server started), with the error and the start of the item", tags, access: "read" }), async (c) => {
      const source = IdParam.parse(c.req.param("id"));
      if (!(await known(source))) return c.json(NO_SOURCE, 404);
      return c.json({ results: deps.events.stats.recentRejections(source) }, 200);
    })
    .get("/:id/recent", endpoint({ summary: "The latest events of a source, newest first", tags, access: "read", query: RecentQuery }), async (c) => {
      const source = IdParam.parse(c.req.param("id"));
      if (!(await known(source))) return c.json(NO_SOURCE, 404);
      const { events } = await deps.events.store.reader.call("recentEvents", { source, limit: c.req.valid("query").limit });
      return c.json({ results: events }, 200);
    })
    .get("/:id/stream", endpoint({ summary: "Live stream (text/event-stream): `snapshot` with the latest 100 events, then `events` as they commit", tags, access: "read" }), async (c) => {
      const source = IdParam.parse(c.req.param("id"));
      if (!(await known(source))) return c.json(NO_SOURCE, 404);
      return streamSSE(c, async (stream) => {
        // Listen before taking the snapshot, so that nothing committed in between is missed; what the
        // snapshot already holds is dropped by its seq below.
        let queue: { seq: number; event: RecentEvent }[] = [];
        let wake: (() => void) | null = null;
        const unsubscribe = deps.events.live.subscribe(source, (messages, seq) => {
          // A viewer that cannot keep up keeps only the newest: this is a view, not a delivery channel.
          for (const m of messages.slice(-100)) queue.push({ seq, event: live(deps, m) });
          if (queue.length > 100) queue.splice(0, queue.length - 100);
          wake?.();
        });
        stream.onAbort(unsubscribe);
        try {
          const snapshot = await deps.events.store.reader.call("recentEvents", { source, limit: 100 });
          queue = queue.filter((q) => q.seq > snapshot.seq);
          await stream.writeSSE({ event: "snapshot", data: JSON.stringify(snapshot.events) });
          while (!stream.aborted) {
            await new Promise<void>((r) => {
              wake = r;
              // Well under the server's idle timeout (src/server.ts; Bun's default is 10 s), which closes a
              // connection that sent nothing for that long, and often enough for proxies with short timeouts.
              setTimeout(r, HEARTBEAT_MS);
            });
            wake = null;
            const batch = queue.splice(0).map((q) => q.event);
            // An empty batch is the heartbeat that keeps proxies from closing an idle stream.
            await stream.writeSSE({ event: "events", data: JSON.stringify(batch.reverse()) });
          }
        } finally {
          unsubscribe();
        }
      });
    });
}

/** live turns a committed message into a stream row, with the person its first identifier resolves to now. */
function live(deps: AppDeps, m: Message): RecentEvent {
  const first = m.identifiers[0];
  const person = first ? (deps.events.identity.lookup(first.type, first.id)?.person ?? -1) : -1;
  return { ts: m.timestamp, event: m.event, person, properties: m.properties };
}
