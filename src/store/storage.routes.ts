/** /api/storage: the data directory's disk and whether ingestion is refused for lack of space (dashboard banner). */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../http/deps.ts";
import { endpoint } from "../http/endpoint.ts";
import type { AppEnv } from "../http/env.ts";
import { storageStatus } from "./storage.ts";

const StorageOut = z.object({
  databaseBytes: z.number().nullable(),
  freeBytes: z.number().nullable(),
  totalBytes: z.number().nullable(),
  low: z.boolean().describe("free space is under 5% of the disk or under 1 GiB"),
  refusing: z
    .object({ since: z.number(), message: z.string() })
    .nullable()
    .describe("set while the database refuses writes (ingest answers 503 with Retry-After); clears with the next stored event"),
});

/** storageRoutes is mounted at /api/storage. */
export function storageRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().get("/", endpoint({ summary: "Disk space of the data directory and write refusals", tags: ["system"], access: "read", response: StorageOut }), (c) =>
    c.json(storageStatus(deps.config.dataDir, deps.events.store.store.writer.refusal), 200),
  );
}
