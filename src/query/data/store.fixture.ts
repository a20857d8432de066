/**
 * A store for query tests: events go through the real group-commit writer and compaction, and are
 * read back through the real reader ops (`query`, `actors`, …) as the server's worker runs them.
 * Identities and persons come from a minimal resolver — one identity per user key, a new person per
 * new identity — and `merge` re-points identities with an identity_changes row, as the identity room
 * does, so "merged persons count once" is exercised end to end.
 */
import { freshDb } from "../../../test/helpers.ts";
import { StoreService } from "../../store/store-service.ts";
import type { StoreEvent } from "../../store/writer.ts";
import { valid } from "../query.ops.ts";
import { ActorsRequest, Query } from "../schema.ts";
import type { Calendar } from "../time.ts";

/** TestEvent is one event as a test writes it. */
export interface TestEvent {
  user: string;
  event: string;
  ts: number;
  props?: Record<string, unknown>;
}

/** UTC_MONDAY is the calendar tests use unless they say otherwise. */
export const UTC_MONDAY: Calendar = { zone: "UTC", weekStart: "monday" };

/** queryStore opens an in-memory store; `now` is the clock queries resolve relative dates against. */
export async function queryStore(opts: { now?: number; calendar?: Calendar } = {}) {
  const db = freshDb();
  const identityOf = new Map<string, number>();
  const svc = await StoreService.open<string>(db, {
    file: null,
    resolve: (user, _e, tx) => {
      const known = identityOf.get(user);
      if (known !== undefined) return known;
      const person = tx.db.query<{ id: number }, [number]>("INSERT INTO persons (created_at, updated_at) VALUES (?1, ?1) RETURNING id").get(tx.now)!.id;
      const id = tx.db
        .query<{ id: number }, [string, number, number]>(
          "INSERT INTO identities (ns, value_hash, value, person_id, first_seen) VALUES ('user_id', ?1, ?1, ?2, ?3) RETURNING id",
        )
        .get(user, person, tx.now)!.id;
      identityOf.set(user, id);
      tx.onRollback(() => identityOf.delete(user));
      return id;
    },
    writer: { delayMs: 0 },
  });
  let messages = 0;
  const calendar = opts.calendar ?? UTC_MONDAY;
  const now = opts.now ?? Date.now();
  const personOf = (user: string) =>
    db.query<{ p: number }, [number]>("SELECT person_id AS p FROM identities WHERE id = ?").get(identityOf.get(user) ?? -1)?.p;

  return {
    db,
    svc,
    /** track writes events and resolves once they are committed (visible in the tail). */
    async track(events: readonly TestEvent[]): Promise<void> {
      const items: StoreEvent<string>[] = events.map((e) => ({
        source: 1, messageId: `m${++messages}`, event: e.event, ts: e.ts, receivedAt: e.ts, props: e.props ?? {}, identity: e.user,
      }));
      await svc.store.writer.append(items);
    },
    /** compact moves everything committed into segments. */
    compact: () => svc.compactNow(),
    /** person is the current (merged) person id of a user key. */
    person: (user: string): number => {
      const p = personOf(user);
      if (p === undefined) throw new Error(`no user ${user}`);
      return p;
    },
    /** merge moves every identity of `from`'s person to `into`'s person (the older survives). */
    merge(into: string, from: string): void {
      const a = personOf(into)!;
      const b = personOf(from)!;
      if (a === b) return;
      db.transaction(() => {
        const moved = db.query<{ id: number }, [number]>("SELECT id FROM identities WHERE person_id = ?").all(b);
        db.query("UPDATE identities SET person_id = ? WHERE person_id = ?").run(a, b);
        for (const { id } of moved) db.query("INSERT INTO identity_changes (identity_id, person_id) VALUES (?, ?)").run(id, a);
        db.query("UPDATE persons SET merged_into = ? WHERE id = ?").run(a, b);
      })();
    },
    /** traits replaces a user's person traits. */
    traits(user: string, traits: Record<string, unknown>): void {
      db.query("UPDATE persons SET traits = ? WHERE id = ?").run(JSON.stringify(traits), personOf(user)!);
    },
    /** query validates and runs a query as `POST /api/query` does. */
    query: async (body: unknown, o: { fresh?: boolean; now?: number } = {}) =>
      valid(await svc.reader.call("query", { query: Query.parse(body), calendar, now: o.now ?? now, fresh: o.fresh })),
    /** actors validates and runs an actors request. */
    actors: async (body: unknown, o: { now?: number } = {}) =>
      valid(await svc.reader.call("actors", { request: ActorsRequest.parse(body), calendar, now: o.now ?? now })),
  };
}
