/**
 * Reference cases for identity and person properties (SPEC §4) over the PostHog capture API (SPEC §3), rebuilt
 * from the scenarios of PostHog's own ingestion tests so persons merge (or refuse to) where PostHog's do:
 * - `plugin-server/tests/main/process-event.test.ts` (the legacy end-to-end cases: alias, identify, $set…)
 * - `nodejs/tests/worker/ingestion/person-state-batch.test.ts` (PersonState: merges, is_identified, illegal ids)
 * Each case posts PostHog-format events to `POST /batch` with the source's key as `api_key` on a fresh app and
 * reads the result back through the person API (`GET /api/persons?search=`, `/api/persons/:id`,
 * `/api/persons/:id/events`), the conflicts list (`GET /api/identity/conflicts`) and a trends `math: "users"`.
 *
 * Mapping: PostHog's `createPerson(distinct_ids, properties)` fixtures become an event from that distinct id
 * carrying `$set` (so the person exists with those properties, as an anonymous, unidentified one); its
 * `is_identified` person is one that sent an `$identify` with an `$anon_distinct_id` (our decoder then
 * declares user_id = distinct_id). PostHog's "the merge is refused because the other person is identified" is
 * our "no merge of two persons holding different user_ids" (SPEC §4), recorded as a conflict. PostHog's
 * `$creator_event_uuid` person property and its teams are plumbing we do not have (one project, many
 * sources). Event times move forward a minute per event, because our traits order changes by event time.
 * Where SPEC §4 (or a documented decision where it is silent) answers differently the test asserts our
 * answer and says why.
 */
import { describe, expect, test } from "bun:test";
import type { Props } from "./harness.ts";
import { identityWorld, type PhEvent } from "./posthog-identity.ts";
import { distinctIds } from "./posthog-wire.ts";

const TOKEN = "phc_reference_identity_posthog_01";

const T = Date.parse("2020-01-01T12:00:00.000Z");
/** at(n) is the n-th minute of the scenario: later events come later. */
const at = (n: number) => new Date(T + n * 60_000).toISOString();

let clock = 0;
/** ph builds an event; each call is a minute after the previous one unless `when` is given. */
function ph(distinctId: unknown, event: string, properties: Props = {}, when?: string): PhEvent {
  return { event, distinct_id: distinctId, properties, timestamp: when ?? at(++clock) };
}
/** identify is posthog-js's `$identify`: the new distinct id, the anonymous one it replaces, person updates. */
const identify = (distinctId: string, anon: string | undefined, extra: Props = {}) =>
  ph(distinctId, "$identify", { ...(anon === undefined ? {} : { $anon_distinct_id: anon }), ...extra });
/** alias is `$create_alias` (or `$merge_dangerously`): `alias` joins the sender's distinct id. */
const alias = (distinctId: string, aliasId: string, event = "$create_alias") => ph(distinctId, event, { alias: aliasId });
/** existing is PostHog's createPerson fixture: an anonymous person with these properties. */
const existing = (distinctId: string, props: Props = {}) => ph(distinctId, "$pageview", Object.keys(props).length ? { $set: props } : {});

/** world is a fresh app with a source whose write key is the PostHog token; the scenario clock starts again. */
async function world() {
  clock = 0;
  return identityWorld(TOKEN);
}

describe("person properties: $set, $set_once, $unset on any event", () => {
  test("person-state 'creates person with properties'; process-event '$set and $set_once', 'set and set_once on the same key'", async () => {
    const w = await world();
    await w.send(
      ph("new-user", "$pageview", { $set_once: { a: 1, b: 2 }, $set: { b: 3, c: 4 } }),
      ph("distinct_id1", "some_event", {
        $set: { key1: "value1", key2: "value2", key3: "value4" },
        $set_once: { key1_once: "value1", key2_once: "value2", key3_once: "value4" },
      }),
      existing("distinct_id2"),
      ph("distinct_id2", "some_event", { $set: { a_prop: "test-set" }, $set_once: { a_prop: "test-set_once" } }),
    );
    // On a new person $set wins over $set_once for the same key ({...set_once, ...set}).
    expect((await w.must("new-user")).traits).toEqual({ a: 1, b: 3, c: 4 });
    expect((await w.must("distinct_id1")).traits).toEqual({
      key1: "value1", key2: "value2", key3: "value4", key1_once: "value1", key2_once: "value2", key3_once: "value4",
    });
    expect((await w.must("distinct_id2")).traits).toEqual({ a_prop: "test-set" });
  });

  test("person-state 'updates person properties', 'does not update person if not needed'; process-event '$unset person property'", async () => {
    const w = await world();
    await w.send(
      existing("new-user", { b: 3, c: 4 }),
      ph("new-user", "$pageview", { $set_once: { c: 3, e: 4 }, $set: { b: 4 } }),
      existing("same-user", { b: 3, c: 4 }),
      ph("same-user", "$pageview", { $set_once: { c: 3 }, $set: { b: 3 } }),
      existing("distinct_id1", { a: 1, b: 2, c: 3 }),
      ph("distinct_id1", "some_event", { $unset: ["a", "c"] }),
    );
    expect((await w.must("new-user")).traits).toEqual({ b: 4, c: 4, e: 4 });
    expect((await w.must("same-user")).traits).toEqual({ b: 3, c: 4 });
    expect((await w.must("distinct_id1")).traits).toEqual({ b: 2 });
  });

  test("process-event 'ingestion in order': four events of $set/$set_once over the same keys", async () => {
    const w = await world();
    await w.send(
      existing("distinct_id1"),
      ph("distinct_id1", "some_event", { $set: { s0123o0123: "s0a", s02o13: "s0b", s013: "s0e" }, $set_once: { s0123o0123: "o0a", s13o02: "o0g", o023: "o0f" } }),
      ph("distinct_id1", "some_event", { $set: { s0123o0123: "s1a", s13o02: "s1g", s1: "s1c", s013: "s1e" }, $set_once: { s0123o0123: "o1a", s02o13: "o1b", o1: "o1d" } }),
      ph("distinct_id1", "some_event", { $set: { s0123o0123: "s2a", s02o13: "s2b" }, $set_once: { s0123o0123: "o2a", s13o02: "o2g", o023: "o2f" } }),
      ph("distinct_id1", "some_event", { $set: { s0123o0123: "s3a", s13o02: "s3g", s013: "s3e" }, $set_once: { s0123o0123: "o3a", s02o13: "o3b", o023: "o3f" } }),
    );
    expect((await w.must("distinct_id1")).traits).toEqual({
      s0123o0123: "s3a", s02o13: "s2b", s1: "s1c", o1: "o1d", s013: "s3e", o023: "o0f", s13o02: "s3g",
    });
  });

  test("process-event 'capture new person': a numeric distinct_id in properties, utm $set and $initial_* $set_once over three events", async () => {
    const w = await world();
    const initial = {
      $initial_os: "Mac OS X", $initial_browser: "Chrome", $initial_utm_medium: "twitter", $initial_current_url: "https://test.com",
      $initial_browser_version: "95", $initial_gclid: "GOOGLE ADS ID", $initial_msclkid: "BING ADS ID",
      $initial_referrer: "https://google.com/?q=posthog", $initial_referring_domain: "https://google.com",
    };
    const first = { $browser: "Chrome", $current_url: "https://test.com", $os: "Mac OS X", utm_medium: "twitter" };
    // The distinct id is only inside properties, as a number (PostHog stringifies it: person distinct ids ['2']).
    const event = (props: Props) => ({ event: "$autocapture", properties: { distinct_id: 2, ...props }, timestamp: at(++clock) });
    await w.send(
      event({ ...first, $set: { utm_medium: "twitter", gclid: "GOOGLE ADS ID", msclkid: "BING ADS ID" }, $set_once: initial }),
      event({
        utm_medium: "instagram", $set: { utm_medium: "instagram" },
        $set_once: { $initial_browser: "Firefox", $initial_browser_version: 80, $initial_utm_medium: "instagram", $initial_current_url: "https://test.com/pricing" },
      }),
      event({
        utm_medium: "instagram", $set: { utm_medium: "instagram" },
        $set_once: { $initial_browser: "Firefox", $initial_utm_medium: "instagram", $initial_current_url: "https://test.com/pricing" },
      }),
    );
    const p = await w.must("2");
    expect(distinctIds(p)).toEqual(["2"]);
    expect(p.traits).toEqual({ ...initial, utm_medium: "instagram", gclid: "GOOGLE ADS ID", msclkid: "BING ADS ID" });
    expect(await w.events(p.id)).toEqual(["$autocapture", "$autocapture", "$autocapture"]);
  });

  test("process-event 'identify set', 'identify set_once': $identify without $anon_distinct_id only updates properties", async () => {
    const w = await world();
    await w.send(
      existing("distinct_id1"),
      identify("distinct_id1", undefined, { $set: { a_prop: "test-1", c_prop: "test-1" } }),
      identify("distinct_id1", undefined, { $set: { a_prop: "test-2", b_prop: "test-2b" } }),
      existing("distinct_id2"),
      identify("distinct_id2", undefined, { $set_once: { a_prop: "test-1", c_prop: "test-1" } }),
      identify("distinct_id2", undefined, { $set_once: { a_prop: "test-2", b_prop: "test-2b" } }),
    );
    const one = await w.must("distinct_id1");
    expect(distinctIds(one)).toEqual(["distinct_id1"]);
    expect(one.traits).toEqual({ a_prop: "test-2", b_prop: "test-2b", c_prop: "test-1" });
    expect((await w.must("distinct_id2")).traits).toEqual({ a_prop: "test-1", b_prop: "test-2b", c_prop: "test-1" });
    expect((await w.persons()).length).toBe(2);
  });
});

describe("$identify with $anon_distinct_id merges the anonymous person into the identified one", () => {
  test("person-state 'creates person with both distinct_ids … when $anon_distinct_id passed' and 'merge into distinct_id person and updates properties with $set/$set_once'", async () => {
    const w = await world();
    await w.send(
      identify("new-user", "old-user", { $set: { foo: "bar" } }),
      existing("old-2", { a: 1, b: 2 }),
      existing("new-2", { b: 3, c: 4, d: 5 }),
      identify("new-2", "old-2", { $set: { d: 6, e: 7 }, $set_once: { a: 8, f: 9 } }),
    );
    // Neither existed: one person with both ids and the $set.
    const first = await w.must("new-user");
    expect(distinctIds(first)).toEqual(["new-user", "old-user"]);
    expect(first.traits).toEqual({ foo: "bar" });
    // Both existed: one person; b comes from new-2 (PostHog: the merge target wins; we: the newest change wins,
    // and new-2's $set is the newer here), then the event's $set/$set_once apply.
    const merged = await w.must("new-2");
    expect((await w.must("old-2")).id).toBe(merged.id);
    expect(distinctIds(merged)).toEqual(["new-2", "old-2"]);
    expect(merged.traits).toEqual({ a: 1, b: 3, c: 4, d: 6, e: 7, f: 9 });
    expect(await w.events(merged.id)).toEqual(["$pageview", "$pageview", "$identify"]);
    // Analytics counts the merged person once (SPEC §4): two persons in all, not four.
    expect((await w.persons()).length).toBe(2);
    expect(await w.users("$pageview")).toBe(1);
    expect(await w.users()).toBe(2);
  });

  test("process-event 'merge people': the identified person's property wins and the merged person is as old as the older one", async () => {
    const w = await world();
    // person_0 is created first but dated 2020-01-01; person_1 comes second but is older (2019-07-01).
    await w.send(
      ph("person_0", "$pageview", { $set: { $os: "Microsoft" } }, "2020-01-01T00:00:00.000Z"),
      ph("person_1", "user signed up", { $set: { $os: "Chrome", $browser: "Chrome" } }, "2019-07-01T00:00:00.000Z"),
    );
    expect((await w.persons()).length).toBe(2);
    await w.send(ph("person_0", "$identify", { $anon_distinct_id: "person_1" }, "2020-01-01T00:05:00.000Z"));
    const persons = await w.persons();
    expect(persons.length).toBe(1);
    expect(distinctIds(persons[0]!)).toEqual(["person_0", "person_1"]);
    // $os: PostHog's target wins; our newest change wins; person_0's $set is both.
    expect(persons[0]!.traits).toEqual({ $os: "Microsoft", $browser: "Chrome" });
    expect((await w.page(persons[0]!.id)).firstSeen).toBe("2019-07-01T00:00:00.000Z");
  });

  test("process-event 'distinct with anonymous_id (which was already created)', 'distinct with multiple anonymous_ids which were already created'", async () => {
    const w = await world();
    await w.send(
      existing("anonymous_id"),
      existing("new_distinct_id", { email: "someone@gmail.com" }),
      identify("new_distinct_id", "anonymous_id"),
      // The same call again is harmless.
      identify("new_distinct_id", "anonymous_id"),
    );
    const p = await w.must("new_distinct_id");
    expect(distinctIds(p)).toEqual(["anonymous_id", "new_distinct_id"]);
    expect(p.traits.email).toBe("someone@gmail.com");
    await w.send(existing("anonymous_id_2"), identify("new_distinct_id", "anonymous_id_2"));
    const persons = await w.persons();
    expect(persons.length).toBe(1);
    expect(distinctIds(persons[0]!)).toEqual(["anonymous_id", "anonymous_id_2", "new_distinct_id"]);
    expect(persons[0]!.traits.email).toBe("someone@gmail.com");
    expect(await w.users()).toBe(1);
  });

  test("person-state 'merges two persons and applies $set properties from multiple $identify events in same batch'", async () => {
    const w = await world();
    await w.send(
      ph("old-user", "Application Installed"),
      ph("old-user", "$screen", { $screen_name: "/welcome" }),
      ph("new-user", "$feature_flag_called", { $feature_flag: "test-flag", $feature_flag_response: true }),
      identify("new-user", "old-user", { $set: { hasAddedInternship: false, hasAddedLanguages: false, isTempUser: true, wasOpenedOnMobileDevice: true } }),
      identify("new-user", "old-user", { $set: { email: null, firstName: null, onboardingStatus: { completed: false }, isTempUser: true } }),
      ph("new-user", "answer_onboarding_question", {
        $set: { selectedAge: null, lastSearchResultCount: 37, selfAttributedReferrer: "C2", primarySelectedJobGroupType: "TRAINING" },
      }),
    );
    const persons = await w.persons();
    expect(persons.length).toBe(1);
    expect(distinctIds(persons[0]!)).toEqual(["new-user", "old-user"]);
    expect(persons[0]!.traits).toMatchObject({
      onboardingStatus: { completed: false }, isTempUser: true, hasAddedInternship: false, wasOpenedOnMobileDevice: true,
      selectedAge: null, lastSearchResultCount: 37, selfAttributedReferrer: "C2", primarySelectedJobGroupType: "TRAINING",
    });
    expect(await w.events(persons[0]!.id)).toEqual([
      "Application Installed", "$screen", "$feature_flag_called", "$identify", "$identify", "answer_onboarding_question",
    ]);
  });
});

describe("refusing to merge two identified persons (PostHog's is_identified guard; SPEC §4's user_id guard)", () => {
  test("process-event 'we do not alias users if distinct id changes but we are already identified' (PostHog #5527), with and without the anonymous event", async () => {
    for (const anonymousEvent of [true, false]) {
      const w = await world();
      // posthog-js: the device starts as anonymous_id; identify sends the previous id as $anon_distinct_id.
      await w.send(
        ...(anonymousEvent ? [ph("anonymous_id", "event 1")] : []),
        identify("initial_distinct_id", "anonymous_id"),
        ph("initial_distinct_id", "event 2"),
        ph("p2_distinct_id", "event 3"),
        identify("new_distinct_id", "p2_distinct_id"),
        ph("new_distinct_id", "event 4"),
        // Switching back to the first user must not join the two.
        identify("initial_distinct_id", "new_distinct_id"),
      );
      const p1 = await w.must("initial_distinct_id");
      const p2 = await w.must("new_distinct_id");
      expect(p1.id).not.toBe(p2.id);
      expect(distinctIds(p1)).toEqual(["anonymous_id", "initial_distinct_id"]);
      expect(distinctIds(p2)).toEqual(["new_distinct_id", "p2_distinct_id"]);
      expect(await w.events(p1.id)).toEqual([...(anonymousEvent ? ["event 1"] : []), "$identify", "event 2", "$identify"]);
      expect(await w.events(p2.id)).toEqual(["event 3", "$identify", "event 4"]);
      expect((await w.persons()).length).toBe(2);
      expect(await w.users()).toBe(2);
      // PostHog writes an ingestion warning (cannot_merge_already_identified); we record the refused link.
      expect((await w.conflicts()).map((c) => [c.reason, c.a?.value, c.b?.value])).toEqual([["user_id", "initial_distinct_id", "new_distinct_id"]]);
    }
  });

  test("person-state: merge when only the distinct_id person is identified; refuse when the $anon_distinct_id person is, or both are", async () => {
    const w = await world();
    await w.send(
      // 'merge into distinct_id person … when distinct_id user is identified and $anon_distinct_id user is not'
      existing("old-a"),
      identify("new-a", "device-a"),
      identify("new-a", "old-a"),
      // 'does not merge people when distinct_id user is not identified and $anon_distinct_id user is'
      identify("old-b", "device-b"),
      existing("new-b"),
      identify("new-b", "old-b"),
      // 'does not merge people when both users are identified'
      identify("old-c", "device-c"),
      identify("new-c", "device-c2"),
      identify("new-c", "old-c"),
    );
    const a = await w.must("new-a");
    expect(distinctIds(a)).toEqual(["device-a", "new-a", "old-a"]);
    // The merged person keeps the older created_at (old-a's first event).
    expect((await w.page(a.id)).firstSeen).toBe(at(1));
    expect((await w.must("old-b")).id).not.toBe((await w.must("new-b")).id);
    expect(distinctIds(await w.must("old-b"))).toEqual(["device-b", "old-b"]);
    expect(distinctIds(await w.must("new-b"))).toEqual(["new-b"]);
    expect((await w.must("old-c")).id).not.toBe((await w.must("new-c")).id);
    // The refused $identify stays on the distinct_id's person.
    expect(await w.events((await w.must("new-b")).id)).toEqual(["$pageview", "$identify"]);
    expect((await w.conflicts()).map((c) => [c.reason, c.b?.value]).sort()).toEqual([["user_id", "old-b"], ["user_id", "old-c"]]);
  });

  test("process-event 'we can alias an identified person to an identified person' — SPEC §4 keeps two user_ids apart", async () => {
    const w = await world();
    await w.send(
      identify("identified_id1", "anonymous_id"),
      ph("identified_id1", "some event"),
      identify("identified_id2", "identified_id1"),
      alias("identified_id2", "identified_id1"),
    );
    // PostHog: one person [anonymous_id, identified_id1, identified_id2] — its second $identify finds no person
    // for identified_id2 and simply adds that id to identified_id1's person (the is_identified guard only
    // applies when both ids already have persons). SPEC §4 differs on purpose: "no merge of two people holding
    // different user_ids (the conflicting link is recorded and reported, not applied)". identified_id1 and
    // identified_id2 are two users, so we keep two persons and report the link.
    const p1 = await w.must("identified_id1");
    const p2 = await w.must("identified_id2");
    expect(p1.id).not.toBe(p2.id);
    expect(distinctIds(p1)).toEqual(["anonymous_id", "identified_id1"]);
    expect(await w.events(p1.id)).toEqual(["$identify", "some event"]);
    expect(await w.events(p2.id)).toEqual(["$identify", "$create_alias"]);
    expect((await w.conflicts()).map((c) => c.reason)).toEqual(["user_id"]);
  });

  test("person-state 'merge_dangerously can merge people when alias id user is identified' — SPEC §4 refuses and reports", async () => {
    const w = await world();
    await w.send(
      identify("old-user", "device-1"),
      identify("new-user", "device-2"),
      alias("new-user", "old-user", "$merge_dangerously"),
    );
    // PostHog merges (that event has no safeguard). SPEC §4: "no merge of two people holding different
    // user_ids (the conflicting link is recorded and reported, not applied)"; an admin can apply it from the
    // conflicts list (POST /api/identity/conflicts/:id/link), which is our "merge dangerously".
    expect((await w.must("old-user")).id).not.toBe((await w.must("new-user")).id);
    const conflicts = await w.conflicts();
    expect(conflicts.map((c) => [c.reason, c.kind, c.a?.value, c.b?.value])).toEqual([["user_id", "alias", "new-user", "old-user"]]);
    expect(await w.users()).toBe(2);
  });
});

describe("$create_alias", () => {
  test("process-event 'alias', 'alias reverse', 'alias twice', 'alias before person', 'alias both existing'", async () => {
    const w = await world();
    await w.send(
      existing("old_distinct_id"),
      alias("new_distinct_id", "old_distinct_id"),
      existing("rev_old"),
      alias("rev_old", "rev_new"),
      alias("fresh_new", "fresh_old"),
      existing("both_old"),
      existing("both_new"),
      alias("both_new", "both_old"),
    );
    expect(distinctIds(await w.must("new_distinct_id"))).toEqual(["new_distinct_id", "old_distinct_id"]);
    expect(distinctIds(await w.must("rev_old"))).toEqual(["rev_new", "rev_old"]);
    expect(distinctIds(await w.must("fresh_old"))).toEqual(["fresh_new", "fresh_old"]);
    expect(distinctIds(await w.must("both_old"))).toEqual(["both_new", "both_old"]);
    expect((await w.persons()).length).toBe(4);
    // 'alias twice': a second alias from the same id pulls another existing person in.
    await w.send(existing("old_distinct_id_2"), alias("new_distinct_id", "old_distinct_id_2"));
    expect(distinctIds(await w.must("new_distinct_id"))).toEqual(["new_distinct_id", "old_distinct_id", "old_distinct_id_2"]);
    expect((await w.persons()).length).toBe(4);
  });

  test("process-event 'we can alias an anonymous person to an anonymous person', 'we can alias two non-existent persons', 'we can alias an anonymous person to an identified person'", async () => {
    const w = await world();
    await w.send(
      ph("anonymous-1", "anonymous event 1"),
      ph("anonymous-2", "anonymous event 2"),
      alias("anonymous-2", "anonymous-1"),
      alias("anonymous-3", "anonymous-4"),
      identify("initial_distinct_id", "anonymous_id"),
      ph("anonymous_id", "anonymous event"),
      alias("anonymous_id", "anonymous_id"),
    );
    const a = await w.must("anonymous-1");
    expect(distinctIds(a)).toEqual(["anonymous-1", "anonymous-2"]);
    expect(await w.events(a.id)).toEqual(["anonymous event 1", "anonymous event 2", "$create_alias"]);
    const b = await w.must("anonymous-3");
    expect(distinctIds(b)).toEqual(["anonymous-3", "anonymous-4"]);
    expect(await w.events(b.id)).toEqual(["$create_alias"]);
    const c = await w.must("initial_distinct_id");
    expect(distinctIds(c)).toEqual(["anonymous_id", "initial_distinct_id"]);
    expect(await w.events(c.id)).toEqual(["$identify", "anonymous event", "$create_alias"]);
    expect((await w.persons()).length).toBe(3);
  });

  test("process-event 'alias merge properties': keys on one side are kept; a key on both sides differs from PostHog", async () => {
    const w = await world();
    await w.send(
      existing("new_distinct_id", { key_on_both: "new value both", key_on_new: "new value" }),
      existing("old_distinct_id", { key_on_both: "old value both", key_on_old: "old value" }),
      alias("new_distinct_id", "old_distinct_id"),
    );
    const persons = await w.persons();
    expect(persons.length).toBe(1);
    expect(distinctIds(persons[0]!)).toEqual(["new_distinct_id", "old_distinct_id"]);
    // PostHog: the merge target (the event's distinct_id person) wins, key_on_both = "new value both". SPEC §4
    // is silent on merge conflicts; src/identity/README.md decides "on merge the most recent change per key
    // wins" (Segment's newest-wins), and old_distinct_id's $set came a minute later.
    expect(persons[0]!.traits).toEqual({ key_on_both: "old value both", key_on_new: "new value", key_on_old: "old value" });
  });
});

describe("illegal (junk) distinct ids never merge", () => {
  test("process-event 'identify with illegal (generic) id'", async () => {
    const w = await world();
    await w.send(existing("im an anonymous id"));
    const illegal = ["distinctId", "  ", "NaN", "undefined", "None", "0"];
    for (const id of [...illegal, "Nan"]) await w.send(existing(id), identify(id, "im an anonymous id"));
    // No illegal id joined the anonymous person; "Nan" is legal (PostHog's illegal ids are case-sensitive, and
    // ours keep NaN so: `=NaN` in the blocklist), so its identify merged the anonymous person into it.
    const anon = await w.must("im an anonymous id");
    expect(distinctIds(anon)).toEqual(["Nan", "im an anonymous id"]);
    // PostHog keeps each $identify on its (illegal) distinct_id's person. We store an event whose distinct_id
    // is junk against its first valid identifier (src/identity/README.md "Stored identity"), here the
    // $anon_distinct_id: the six $identify events sit on the anonymous person's timeline, beside Nan's own.
    expect(await w.events(anon.id)).toEqual(["$pageview", ...illegal.map(() => "$identify"), "$pageview", "$identify"]);
    // Each of the six junk ids is a person of its own, plus the merged one: 7 in all, as PostHog.
    expect(await w.users("$pageview")).toBe(7);
    expect(await w.conflicts()).toEqual([]);
  });

  test("person-state 'stops $identify if $anon_distinct_id is illegal' / 'if current distinct_id is illegal': many users sending one junk id stay apart", async () => {
    const illegal = ["", "   ", "null", "undefined", '"undefined"', "[object Object]", '"[object Object]"'];
    const w = await world();
    for (const [k, id] of illegal.entries()) {
      // Two real users identify with the same junk anonymous id (the identify(null) mega-person, PostHog #5527).
      await w.send(identify(`user-${k}-a`, id), identify(`user-${k}-b`, id));
      // Two devices identify as the same junk user id ("" is refused at the door: distinct_id is required).
      if (id !== "") await w.send(existing(`device-${k}-a`), identify(id, `device-${k}-a`), existing(`device-${k}-b`), identify(id, `device-${k}-b`));
    }
    for (const k of illegal.keys()) {
      expect(distinctIds(await w.must(`user-${k}-a`))).toEqual([`user-${k}-a`]);
      expect(distinctIds(await w.must(`user-${k}-b`))).toEqual([`user-${k}-b`]);
      if (k === 0) continue;
      expect((await w.must(`device-${k}-a`)).id).not.toBe((await w.must(`device-${k}-b`)).id);
    }
    // 14 users, and 12 devices whose junk-id $identify is stored on the device (see the test above; PostHog
    // would put those on one person per junk distinct_id instead).
    expect(await w.users("$identify")).toBe(illegal.length * 2 + (illegal.length - 1) * 2);
  });

  test("person-state 'stops $create_alias if alias is illegal' / 'if current distinct_id is illegal'; process-event 'Alias with illegal (generic) id'", async () => {
    const w = await world();
    await w.send(
      existing("user123"),
      existing("user456"),
      alias("user123", "null"),
      alias("user456", "null"),
      existing("some_distinct_id"),
      existing("other_distinct_id"),
      alias("false", "some_distinct_id"),
      alias("false", "other_distinct_id"),
    );
    for (const id of ["user123", "user456", "some_distinct_id", "other_distinct_id"]) expect(distinctIds(await w.must(id))).toEqual([id]);
    expect(await w.users("$pageview")).toBe(4);
    // As above, an alias sent from the junk distinct_id "false" is stored on its valid alias's person (PostHog:
    // on the person of "false").
    expect(await w.events((await w.must("some_distinct_id")).id)).toEqual(["$pageview", "$create_alias"]);
    expect(await w.conflicts()).toEqual([]);
  });
});

describe("an $identify that names no new user", () => {
  // OUR BUG (SPEC §3/§4): src/ingest/posthog.wire.ts declares user_id = distinct_id for every $identify, so
  // this no-op event makes "anonymous_id" a user id and the user's real identify is then refused as a merge of
  // two user_ids (conflict "user_id", user-1 ↔ anonymous_id). This test fails until that is fixed.
  test("process-event 'identify with the same distinct_id as anon_distinct_id': no-op, and the device can still be identified later", async () => {
    const w = await world();
    await w.send(existing("anonymous_id"), identify("anonymous_id", "anonymous_id"));
    const before = await w.must("anonymous_id");
    expect(distinctIds(before)).toEqual(["anonymous_id"]);
    // PostHog: the person stays is_identified = false, so the user's real identify later merges the device.
    // SPEC §4: "identify(userId, anonymousId, traits) links the anonymous history to the user".
    await w.send(identify("user-1", "anonymous_id"), ph("user-1", "$pageview"));
    const after = await w.must("user-1");
    expect(distinctIds(after)).toEqual(["anonymous_id", "user-1"]);
    expect(await w.users("$pageview")).toBe(1);
    expect(await w.conflicts()).toEqual([]);
  });

  test("extension of process-event 'identify set': after an $identify without $anon_distinct_id, a real identify of that id", async () => {
    const w = await world();
    await w.send(
      existing("distinct_id1"),
      identify("distinct_id1", undefined, { $set: { a_prop: "test-1" } }),
      identify("user-1", "distinct_id1"),
    );
    // PostHog's test asserts the person is still is_identified = false after such an $identify, so by its rule
    // (merge unless the other person is identified) user-1's identify would merge distinct_id1's person. We
    // read an $identify's distinct_id as the app's user id (src/identity/README.md: "`$identify` also declares
    // `user_id` = distinct_id"; posthog-node and posthog-python send identify with the user's id and no
    // $anon_distinct_id), so distinct_id1 is a user here and SPEC §4's "no merge of two people holding
    // different user_ids" keeps user-1 apart and reports the link.
    expect((await w.must("user-1")).id).not.toBe((await w.must("distinct_id1")).id);
    expect((await w.conflicts()).map((c) => [c.reason, c.a?.value, c.b?.value])).toEqual([["user_id", "user-1", "distinct_id1"]]);
  });
});
