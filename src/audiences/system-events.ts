/**
 * The EventSink of the appliance: Tessera's own events about persons (audience_entered /
 * audience_exited, lifecycle_changed, tag changes) go through the store writer like any event, under
 * the system source, pinned to one of the person's identities (IdentityInput.identityId), so they
 * appear on the person's timeline, in every analysis and as campaign triggers. Message ids are
 * deterministic (materialise.job.ts), so re-emitting after a crash is deduplicated by the store.
 */
import type { Database } from "bun:sqlite";
import type { Crypto } from "../crypto/crypto.ts";
import type { Kdb } from "../db/kysely.ts";
import type { Events } from "../events.ts";
import type { IdentityInput } from "../identity/identity-input.ts";
import type { IdentityGraph } from "../identity/identity-graph.ts";
import { rootOf } from "../identity/privacy.ts";
import { ensureSystemSource } from "../sources/sources.ts";
import type { StoreEvent } from "../store/writer.ts";
import type { EventSink } from "./materialise.job.ts";

/**
 * anchorIdentity is the identity a person's system events are stored against: the person's oldest
 * identity (smallest id), which after an unmerge stays with the part that keeps the person's id. A
 * person merged since the computation is followed to the person it became; a deleted one has none.
 */
export function anchorIdentity(graph: IdentityGraph, person: number): number | null {
  const root = graph.index.sizeOf(person) > 0 ? person : rootOf(graph, person);
  if (root === null) return null;
  const ids = graph.index.members(root);
  return ids.length === 0 ? null : Math.min(...ids);
}

/** SystemSinkDeps is what the sink needs from the appliance. */
export interface SystemSinkDeps {
  readonly db: Database;
  readonly kdb: Kdb;
  readonly crypto: Crypto;
  readonly now: () => number;
  readonly events: Pick<Events, "identity" | "store">;
}

/** systemEventSink appends through the store writer and resolves once the events are committed. */
export function systemEventSink(deps: SystemSinkDeps): EventSink {
  let source: Promise<number> | null = null;
  return {
    async append(events) {
      source ??= ensureSystemSource(deps.db, deps.kdb, deps.crypto, deps.now()).catch((e: unknown) => {
        source = null;
        throw e;
      });
      const sourceId = await source;
      const graph = deps.events.identity.graph;
      const receivedAt = deps.now();
      const rows: StoreEvent<IdentityInput>[] = [];
      for (const e of events) {
        const identityId = anchorIdentity(graph, e.personId);
        // Deleted since the computation: their events must not exist, and the person must not come back.
        if (identityId === null) continue;
        rows.push({
          source: sourceId, messageId: e.messageId, event: e.event, ts: e.ts, receivedAt,
          props: { ...e.properties }, identity: { type: "track", identityId },
        });
      }
      await deps.events.store.store.writer.append(rows);
    },
  };
}
