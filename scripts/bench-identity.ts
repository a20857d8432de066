/**
 * bench-identity: identity resolution inside the store writer, on a database preloaded with 1M persons
 * (issue 4: "measure with 1M persons and 30% of events carrying a new link"). Prints figures, asserts
 * nothing. The same events go through a pass-through resolver first, so the identity cost is the difference.
 *
 *   bun scripts/bench-identity.ts [--persons 1000000] [--events 500000] [--autocheckpoint 20000]
 *
 * Preload: 80% identified persons (user_id + anonymous_id, linked), 20% anonymous-only (anonymous_id).
 * Event mix: 70% track from a known user on a known device; 30% carry a new link — 16% identify from a new
 * device (attach an anonymous_id), 5% a new e-mail trait (attach, PII sealed, a random person row rewritten),
 * 5% a new Mini Program openid (attach), 4% identify of an anonymous-only person (merge of two persons).
 * Then each kind alone (known / attach / trait / merge), to show where the time goes.
 */
import { Database } from "bun:sqlite";
import { parseArgs } from "node:util";
import { randomBytes } from "node:crypto";
import { createCrypto } from "../src/crypto/crypto.ts";
import { migrate } from "../src/db/migrate.ts";
import { openWriter } from "../src/db/sqlite.ts";
import { Fingerprinter } from "../src/identity/fingerprint.ts";
import type { IdentityInput } from "../src/identity/identity-input.ts";
import { IdentityService } from "../src/identity/identity-service.ts";
import type { PiiCrypto } from "../src/identity/pii.ts";
import { EventStore } from "../src/store/event-store.ts";
import type { IdentityResolver, StoreEvent } from "../src/store/writer.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const { values: args } = parseArgs({
  options: {
    persons: { type: "string", default: "1000000" },
    events: { type: "string", default: "500000" },
    // SQLite's default is 1000 pages; trait changes rewrite random person rows, and a longer WAL between
    // checkpoints writes each hot page back once instead of many times (try 20000).
    autocheckpoint: { type: "string" },
  },
});
const PERSONS = Number(args.persons);
const EVENTS = Number(args.events);
const IDENTIFIED = Math.floor(PERSONS * 0.8);
const BATCH = 100;
const IN_FLIGHT = 32;

const crypto: PiiCrypto = createCrypto(randomBytes(32));

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
const dir = mkdtempSync(join(tmpdir(), "tessera-bench-identity-"));
const file = join(dir, "bench.db");

function preload(db: Database): void {
  const fp = new Fingerprinter(crypto);
  const now = Date.now();
  const insP = db.prepare("INSERT INTO persons (id, created_at, updated_at) VALUES (?, ?, ?)");
  const insI = db.prepare(
    "INSERT INTO identities (id, ns, value_hash, value, person_id, first_seen, origin_person, link_to, link_kind) VALUES (?,?,?,?,?,?,?,?,?)",
  );
  let identity = 0;
  db.transaction(() => {
    for (let p = 1; p <= PERSONS; p++) {
      insP.run(p, now, now);
      const anon = ++identity;
      insI.run(anon, "anonymous_id", fp.hashOf("anonymous_id", `a${p}`), `a${p}`, p, now, p, 0, null);
      if (p <= IDENTIFIED) {
        const user = ++identity;
        insI.run(user, "user_id", fp.hashOf("user_id", `u${p}`), `u${p}`, p, now, p, anon, "identify");
      }
    }
  })();
}

type Mode = "mix" | "known" | "attach" | "trait" | "merge";

/** Workload yields the event mix one event at a time, so inputs are fresh in cache as after an HTTP parse. */
function workload(seed: number, mode: Mode): (i: number) => IdentityInput {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const user = () => 1 + Math.floor(rnd() * IDENTIFIED);
  const pick = { mix: -1, known: 0, attach: 0.75, trait: 0.88, merge: 0.97 }[mode];
  return (i) => {
    const r0 = rnd();
    const r = pick < 0 ? r0 : pick;
    const u = user();
    if (r < 0.7) return { type: "track", userId: `u${u}`, anonymousId: `a${u}` };
    if (r < 0.86) return { type: "identify", userId: `u${u}`, anonymousId: `new-device-${seed}-${i}` };
    if (r < 0.91) return { type: "identify", userId: `u${u}`, traits: { set: { email: `p${seed}-${i}@example.cn`, plan: "pro" } } };
    if (r < 0.96) return { type: "track", userId: `u${u}`, identifiers: [{ type: "wx_openid:wxmp01", id: `oMP${seed}-${i}` }] };
    if (nextAnonOnly <= PERSONS) return { type: "identify", userId: `u${u}`, anonymousId: `a${nextAnonOnly++}` };
    return { type: "identify", userId: `u${u}`, anonymousId: `new-device-${seed}-${i}` };
  };
}
let nextAnonOnly = IDENTIFIED + 1;

async function run(
  db: Database, resolve: IdentityResolver<IdentityInput>, next: (i: number) => IdentityInput, tag: string, events: number,
): Promise<number> {
  const store = new EventStore<IdentityInput>(db, resolve);
  Bun.gc(true);
  const t0 = performance.now();
  const ts = Date.now();
  let sent = 0;
  const worker = async () => {
    while (sent < events) {
      const start = sent;
      sent += BATCH;
      const batch: StoreEvent<IdentityInput>[] = [];
      for (let i = start; i < Math.min(start + BATCH, events); i++) {
        const identity = next(i);
        batch.push({
          source: 1, messageId: `${tag}-${i}`, event: identity.type === "track" ? "view_item" : "$identify",
          ts: ts + i, receivedAt: ts, props: { sku: `S${i % 977}`, price: 99, $browser: "Chrome" }, identity,
        });
      }
      await store.writer.append(batch);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  await store.writer.flush();
  return (performance.now() - t0) / 1000;
}

const db = openWriter(file);
if (args.autocheckpoint) db.exec(`PRAGMA wal_autocheckpoint = ${Number(args.autocheckpoint)}`);
migrate(db);
let t = performance.now();
preload(db);
console.log(`preload: ${PERSONS.toLocaleString()} persons, ${db.query<{ n: number }, []>("SELECT count(*) AS n FROM identities").get()!.n.toLocaleString()} identities in ${((performance.now() - t) / 1000).toFixed(1)} s`);
Bun.gc(true);
const rss0 = process.memoryUsage().rss;
t = performance.now();
const identity = IdentityService.open(db, crypto);
const loadS = (performance.now() - t) / 1000;
Bun.gc(true);
const rss1 = process.memoryUsage().rss;
console.log(`index load: ${loadS.toFixed(2)} s; index arrays ${mb(identity.graph.index.bytes)}; RSS +${mb(rss1 - rss0)}`);

const baseS = await run(db, () => 1, workload(7, "mix"), "base", EVENTS);
console.log(`pass-through resolver: ${EVENTS.toLocaleString()} events in ${baseS.toFixed(2)} s = ${Math.round(EVENTS / baseS).toLocaleString()} ev/s`);

const links = () => db.query<{ n: number }, []>(
  "SELECT (SELECT count(*) FROM identity_edges) + (SELECT count(*) FROM identities WHERE link_to != 0) AS n",
).get()!.n;
const merged = () => db.query<{ n: number }, []>("SELECT count(*) AS n FROM persons WHERE merged_into IS NOT NULL").get()!.n;
let links0 = links();
let merges0 = merged();
const idS = await run(db, identity.resolve, workload(42, "mix"), "id", EVENTS);
const newLinks = links() - links0;
console.log(`identity resolver:     ${EVENTS.toLocaleString()} events in ${idS.toFixed(2)} s = ${Math.round(EVENTS / idS).toLocaleString()} ev/s`);
console.log(`  new links ${newLinks.toLocaleString()} (${((newLinks / EVENTS) * 100).toFixed(1)}% of events), merges ${(merged() - merges0).toLocaleString()}`);
console.log(`  identity cost ≈ ${(((idS - baseS) / EVENTS) * 1e6).toFixed(2)} µs per event on top of the store`);

// Each kind of event alone, against the pass-through time per event measured above.
const PER = Math.min(100_000, Math.floor(EVENTS / 2));
for (const mode of ["known", "attach", "trait", "merge"] as const) {
  links0 = links();
  merges0 = merged();
  const t = await run(db, identity.resolve, workload(100 + PER, mode), mode, PER);
  console.log(`  ${mode.padEnd(6)} ${Math.round(PER / t).toLocaleString().padStart(8)} ev/s, identity ≈ ${(((t / PER) - baseS / EVENTS) * 1e6).toFixed(2)} µs/event`
    + ` (links ${(links() - links0).toLocaleString()}, merges ${(merged() - merges0).toLocaleString()})`);
}
Bun.gc(true);
console.log(`after: ${identity.graph.index.size.toLocaleString()} identities; index arrays ${mb(identity.graph.index.bytes)}; RSS ${mb(process.memoryUsage().rss)}`);
db.close();
rmSync(dir, { recursive: true, force: true });
