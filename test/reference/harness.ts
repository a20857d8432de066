/**
 * The reference ports replay another product's scenarios through our real HTTP surface, so each needs the same
 * fresh project around its case: a source to ingest into, an analyst to ask, a batch that must be accepted, and
 * persons and timelines read back the same way.
 * Keeping that here leaves each port with only its scenario data and its mapping onto SPEC, and a change in how
 * the app is wired or authenticated lands once rather than seven times.
 */
import { expect } from "bun:test";
import { silentLogger } from "../../src/log.ts";
import { ensureDefaultSource } from "../../src/sources/sources.ts";
import { testApp } from "../app-helpers.ts";

/** Props are event properties or traits, as free as the wire allows. */
export type Props = Record<string, unknown>;

/** Who sends a Segment message: a user id, an anonymous id, or both. */
export type Who = { userId?: string; anonymousId?: string };

/** track is a Segment track message, the form every port's events take on `POST /v1/batch`. */
export const track = (who: Who, event: string, timestamp: string, properties: Props = {}) =>
  ({ type: "track", ...who, event, timestamp, properties });

/** identify is a Segment identify; with an anonymousId it links that id to the user, which is how ports merge persons. */
export const identify = (userId: string, anonymousId: string | undefined, timestamp: string, traits: Props = {}) =>
  ({ type: "identify", userId, ...(anonymousId ? { anonymousId } : {}), timestamp, traits });

/** Actors is the part of an actors answer (SPEC §5.0) the ports read: who each person is. */
export interface Actors { persons: { identifiers: { type: string; value: string }[] }[] }

/** actorIds names each person by user id (else its first identifier), sorted, so ports compare with PostHog's lists. */
export const actorIds = (answer: Actors) =>
  answer.persons.map((p) => (p.identifiers.find((i) => i.type === "user_id") ?? p.identifiers[0]!).value).sort();

/**
 * Loose is a parsed answer as a port reads it: any top-level field may be asked for, and the assertion says what
 * it must be; deeper reads name the shape they expect.
 */
export type Loose = Readonly<Record<string, unknown>>;

/** Answer is a raw answer, as an SDK meets it: its status, its body (parsed when it is JSON) and its headers. */
export type Answer = { status: number; body: Loose; headers: Headers };

/** at reads a nested field of a parsed answer (undefined where the path leads nowhere). */
export function at(v: unknown, ...path: (string | number)[]): unknown {
  let x = v;
  for (const k of path) x = x !== null && typeof x === "object" ? (x as Record<string | number, unknown>)[k] : undefined;
  return x;
}

/** Refused is one item of an answer's `rejected` list. */
export type Refused = { index: number; error: string };

/** rejectedOf is an answer's `rejected` list, failing the test when there is none. */
export function rejectedOf(a: Answer): Refused[] {
  const r = a.body.rejected;
  expect(Array.isArray(r)).toBe(true);
  return r as Refused[];
}

/** answerOf reads a raw answer whatever its body is, for the ports that send as an SDK does. */
export async function answerOf(res: Response): Promise<Answer> {
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === "" ? null : JSON.parse(text);
  } catch {
    // not JSON: kept as text so a failing assertion shows it
  }
  // Typed as an object for the ports' top-level reads; a text or empty body fails those reads' assertions.
  return { status: res.status, body: parsed as Loose, headers: res.headers };
}

/** Ack is `POST /v1/batch`'s answer; ingestAll and the funnel ports also insist that nothing was rejected. */
type Ack = { success: boolean; rejected?: unknown[] };

/**
 * referenceApp is a fresh app with a source holding `writeKey` and an analyst token. `now` sets the fake clock
 * before anything is created, for ports whose PostHog test freezes time.
 */
export async function referenceApp(writeKey: string, opts: { now?: string } = {}) {
  const t = testApp();
  if (opts.now) t.clock.now = Date.parse(opts.now);
  await ensureDefaultSource(t.deps.db, t.deps.kdb, t.deps.crypto, writeKey, t.clock.now, silentLogger);
  const analyst = await t.asToken("analyst");
  const post = async <B = Props>(path: string, json: unknown): Promise<{ status: number; body: B }> => {
    const res = await t.call("POST", path, { json, headers: analyst.headers });
    return { status: res.status, body: (await res.json()) as B };
  };
  const h = {
    t,
    analyst,
    /** ingest posts one `/v1/batch` with the write key; the batch has to be accepted. */
    async ingest(batch: unknown[]): Promise<Ack> {
      const res = await t.call("POST", "/v1/batch", { json: { batch }, headers: { authorization: `Basic ${btoa(`${writeKey}:`)}` } });
      expect(res.status).toBe(200);
      const ack = (await res.json()) as Ack;
      expect(ack).toMatchObject({ success: true });
      return ack;
    },
    /** ingestAll posts `batch` 500 messages at a time (each post under /v1's 500 KB), every one accepted whole. */
    async ingestAll(batch: unknown[]): Promise<void> {
      for (let i = 0; i < batch.length; i += 500) {
        const ack = await h.ingest(batch.slice(i, i + 500));
        expect(ack.rejected ?? []).toEqual([]);
      }
    },
    /** post sends `json` as the analyst and answers status and body, for cases that look at the status. */
    post,
    /** ok is `post` that has to answer 200 (the body is in the failure message); it answers the body. */
    async ok<B = Props>(path: string, json: unknown): Promise<B> {
      const { status, body } = await post<B>(path, json);
      expect(status, JSON.stringify(body)).toBe(200);
      return body;
    },
    /** get reads `path` as the analyst; it has to answer 200 (the path and body are in the failure message). */
    async get<B = Props>(path: string): Promise<B> {
      const res = await t.call("GET", path, { headers: analyst.headers });
      const body = (await res.json()) as B;
      expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(200);
      return body;
    },
    /** setNow moves the fake clock, PostHog's freeze_time, for relative dates such as "-7d" and "now". */
    setNow(iso: string): void {
      t.clock.now = Date.parse(iso);
    },
  };
  return h;
}

/** ReferenceApp is what referenceApp answers, for the helpers of one area that build on it. */
export type ReferenceApp = Awaited<ReturnType<typeof referenceApp>>;

/** Identifier is one of a person's identifiers: a distinct_id, a user_id, an anonymous_id… */
export type Identifier = { type: string; value: string };
/** PersonSummary is a person as `GET /api/persons` lists it. */
export type PersonSummary = { id: string; identifiers: Identifier[]; traits: Props };
/** StoredEvent is one event of a person's timeline (`GET /api/persons/:id/events`). */
export type StoredEvent = { time: string; event: string; properties: Props };

/** idsOf lists a person's identifiers of one `type`, sorted. */
export const idsOf = (p: PersonSummary, type: string) => p.identifiers.filter((i) => i.type === type).map((i) => i.value).sort();

/** byIdentifier finds persons through the person search (`GET /api/persons?search=`), by one identifier. */
export function byIdentifier(h: ReferenceApp) {
  const find = {
    /** person is the one person holding identifier (type, value), or null. */
    async person(type: string, value: string): Promise<PersonSummary | null> {
      const { persons } = await h.get<{ persons: PersonSummary[] }>(`/api/persons?search=${encodeURIComponent(value)}&limit=200`);
      const found = persons.filter((p) => p.identifiers.some((i) => i.type === type && i.value === value));
      expect(found.length, `persons holding ${type} ${value}`).toBeLessThanOrEqual(1);
      return found[0] ?? null;
    },
    /** must is `person` that has to exist. */
    async must(type: string, value: string): Promise<PersonSummary> {
      const p = await find.person(type, value);
      expect(p, `a person holding ${type} ${value}`).not.toBeNull();
      return p!;
    },
  };
  return find;
}

/**
 * diskSwitch makes the database refuse every write (SQLITE_READONLY, the code a read-only or failing disk gives;
 * the store handles it as it handles SQLITE_FULL) until `allowWrites`: what an SDK sees of a server that cannot store.
 */
export function diskSwitch(h: ReferenceApp) {
  return {
    refuseWrites: () => h.t.deps.db.exec("PRAGMA query_only = 1"),
    allowWrites: () => h.t.deps.db.exec("PRAGMA query_only = 0"),
  };
}

/**
 * stored reads back what a port stored: the timeline of the person `must` finds for a key (each port finds persons
 * its own way: by an identifier, by a distinct id), and event counts.
 */
export function stored<K extends unknown[]>(h: ReferenceApp, must: (...key: K) => Promise<PersonSummary>) {
  const read = {
    /** events is the timeline of the person `must` finds for `key`, oldest first (ties by event name). */
    async events(...key: K): Promise<StoredEvent[]> {
      const p = await must(...key);
      const { events } = await h.get<{ events: StoredEvent[] }>(`/api/persons/${p.id}/events?limit=500`);
      return events.slice().sort((a, b) => a.time.localeCompare(b.time) || a.event.localeCompare(b.event));
    },
    /** times lists [time, event] of a person's timeline. */
    async times(...key: K): Promise<[string, string][]> {
      return (await read.events(...key)).map((e) => [e.time, e.event]);
    },
    /** total counts `event` over a UTC range (trends, math total, SPEC §5.1). */
    async total(event: string, dateFrom: string, dateTo: string): Promise<number> {
      const { results } = await h.ok<{ results: { total: number }[] }>("/api/query", {
        kind: "trends", timezone: "UTC", dateFrom, dateTo, interval: "month", series: [{ event, math: "total" }],
      });
      return results[0]!.total;
    },
  };
  return read;
}
