/**
 * AppDeps is everything createApp needs. Rooms that mount routes add their own fields here (the event
 * store, the query worker) and receive the whole object in their `xRoutes(deps)` factory.
 */
import type { LoginLimits } from "../auth/rate-limit.ts";
import type { SetupGate } from "../auth/setup.ts";
import type { CoreDeps } from "../deps.ts";
import type { Events } from "../events.ts";
import type { Scheduler } from "../jobs/scheduler.ts";

export interface AppDeps extends CoreDeps {
  /** ready is true once migrations ran and the writer accepts events; /healthz reports it. */
  readonly ready: () => boolean;
  readonly setup: SetupGate;
  readonly limits: LoginLimits;
  readonly scheduler: Scheduler;
  /** webRoot is the built dashboard folder (web/dist on disk, or embedded in the binary); null serves none. */
  readonly webRoot: string | null;
  /** events are identity, the event store and the ingest counters. */
  readonly events: Events;
}
