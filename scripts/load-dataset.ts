/**
 * Loads the benchmark data set into a Tessera data directory through the real store writer and
 * compaction (persons and their user_id identities are written in bulk first, as an import would,
 * with the identity room's keyed fingerprints under BENCH_KEY so a server can load its index).
 * Usage: bun scripts/load-dataset.ts DIR [events] [persons]
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createCrypto } from "../src/crypto/crypto.ts";
import { migrate } from "../src/db/migrate.ts";
import { Fingerprinter } from "../src/identity/fingerprint.ts";
import { DB_FILE, openWriter } from "../src/db/sqlite.ts";
import { StoreService } from "../src/store/store-service.ts";
import { CITIES, EVENT_NAMES, generate, PLANS, props, type Dataset } from "./dataset.ts";

/** BENCH_KEY is the secret key benchmark data directories are written and read with. */
export const BENCH_KEY = new Uint8Array(32).fill(7);

/** loadDataset writes `d` into `dir` and returns timings. */
export async function loadDataset(dir: string, d: Dataset, log = console.log): Promise<{ ms: number; file: string }> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, DB_FILE);
  const db = openWriter(file);
  migrate(db);
  const t0 = performance.now();
  db.transaction(() => {
    const person = db.prepare("INSERT INTO persons (id, created_at, updated_at, traits) VALUES (?, ?, ?, ?)");
    const ident = db.prepare("INSERT INTO identities (id, ns, value_hash, value, person_id, first_seen) VALUES (?, 'user_id', ?, ?, ?, ?)");
    const fp = new Fingerprinter(createCrypto(BENCH_KEY));
    for (let p = 0; p < d.persons; p++) {
      const traits = JSON.stringify({ city: CITIES[d.city[p]!], plan: PLANS[d.plan[p]!] });
      person.run(p + 1, d.start, d.start, traits);
      ident.run(p + 1, fp.hashOf("user_id", `u${p}`), `u${p}`, p + 1, d.start);
    }
  })();
  log(`persons: ${d.persons} in ${(performance.now() - t0).toFixed(0)} ms`);
  const svc = await StoreService.open<number>(db, {
    file, resolve: (id) => id, compaction: { minRows: 250_000 }, writer: { maxPending: 400_000 },
  });
  svc.start();
  const t1 = performance.now();
  const batch = 1000;
  let inflight: Promise<unknown>[] = [];
  for (let i = 0; i < d.n; i += batch) {
    const items = [];
    for (let k = i; k < Math.min(d.n, i + batch); k++) {
      items.push({
        source: 1, messageId: `bench-${k}`, event: EVENT_NAMES[d.event[k]!]!, ts: d.ts[k]!, receivedAt: d.ts[k]!,
        props: props(d, k), identity: d.person[k]! + 1,
      });
    }
    inflight.push(svc.store.writer.append(items));
    if (inflight.length >= 100) {
      await Promise.all(inflight);
      inflight = [];
    }
    if (i % 1_000_000 === 0 && i > 0) log(`  ${i / 1e6}M events, ${((i / (performance.now() - t1)) * 1000).toFixed(0)} ev/s`);
  }
  await Promise.all(inflight);
  await svc.compactNow();
  await svc.compactNow();
  await svc.close();
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  const ms = performance.now() - t1;
  log(`events: ${d.n} in ${ms.toFixed(0)} ms (${((d.n / ms) * 1000).toFixed(0)} ev/s)`);
  return { ms, file };
}

if (import.meta.main) {
  const [dir = ".bench/data", events, persons] = process.argv.slice(2);
  const t = performance.now();
  const d = generate({ events: events ? Number(events) : undefined, persons: persons ? Number(persons) : undefined });
  console.log(`generated ${d.n} events in ${(performance.now() - t).toFixed(0)} ms`);
  await loadDataset(dir, d);
}
