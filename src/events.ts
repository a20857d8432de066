/**
 * openEvents assembles the event side of the appliance on the writer connection: identity resolution,
 * the event store (writer, compaction, store worker) and the ingest counters. The server and the CLI's
 * import/demo commands use the same assembly, so imported data takes exactly the path HTTP data takes.
 */
import { join } from "node:path";
import { DB_FILE } from "./db/sqlite.ts";
import type { CoreDeps } from "./deps.ts";
import type { IdentityInput } from "./identity/identity-input.ts";
import { IdentityService } from "./identity/identity-service.ts";
import type { Identifier } from "./ingest/message.ts";
import { parseSourceSettings, type IngestSource } from "./ingest/source.ts";
import { LiveTap } from "./ingest/live-tap.ts";
import { IngestStats } from "./ingest/stats.ts";
import { storeSink } from "./ingest/store-sink.ts";
import type { Sink } from "./ingest/sink.ts";
import { findSourceByWriteKey } from "./sources/sources.ts";
import { StoreService } from "./store/store-service.ts";

/** Events are the rooms that take events in; `close` flushes and stops them. */
export interface Events {
  readonly identity: IdentityService;
  readonly store: StoreService<IdentityInput>;
  readonly stats: IngestStats;
  /** live streams committed events to the Sources page. */
  readonly live: LiveTap;
  readonly sink: Sink;
  findSource(writeKey: string): IngestSource | null;
  isSuppressed(ids: readonly Identifier[]): boolean;
  close(): Promise<void>;
}

/** openEvents opens identity and the store with its worker on the data directory's database file. */
export async function openEvents(core: CoreDeps): Promise<Events> {
  const identity = IdentityService.open(core.db, core.crypto);
  const file = join(core.config.dataDir, DB_FILE);
  const store = await StoreService.open<IdentityInput>(core.db, {
    file, resolve: identity.resolve, crypto: core.crypto, log: (msg) => core.log.warn(msg),
    writer: { syncEachCommit: core.config.sync === "full", now: core.now },
  });
  return assemble(core, identity, store);
}

/** openLocalEvents is openEvents with the read side in this thread (in-memory databases in tests). */
export function openLocalEvents(core: CoreDeps): Events {
  const identity = IdentityService.open(core.db, core.crypto);
  const store = StoreService.local<IdentityInput>(core.db, {
    resolve: identity.resolve, crypto: core.crypto, log: (msg) => core.log.warn(msg), writer: { now: core.now },
  });
  return assemble(core, identity, store);
}

function assemble(core: CoreDeps, identity: IdentityService, store: StoreService<IdentityInput>): Events {
  store.start();
  const stats = new IngestStats(core.now);
  // Counts that cannot be written stay pending; a full disk was already reported once by the store.
  const stopStats = stats.startFlushing(core.db, 10_000, (err) => {
    if (!store.store.writer.refusal) core.log.error("ingest stats flush failed", { error: String(err) });
  });
  const settingsCache = new Map<string, IngestSource["settings"]>();
  const live = new LiveTap();
  return {
    identity,
    store,
    stats,
    live,
    sink: storeSink(store.store.writer, live),
    findSource(writeKey) {
      const ref = findSourceByWriteKey(core.db, core.crypto, writeKey);
      if (!ref) return null;
      let settings = settingsCache.get(ref.settings);
      if (!settings) settingsCache.set(ref.settings, (settings = parseSourceSettings(ref.settings)));
      return { id: ref.id, name: ref.name, settings };
    },
    isSuppressed: (ids) => identity.isSuppressed({ type: "track", identifiers: ids }),
    async close() {
      await store.close();
      stopStats();
    },
  };
}
