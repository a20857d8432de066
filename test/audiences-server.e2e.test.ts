/**
 * Audiences through a real server: the file database, the store worker answering previews, pack
 * computations, breakdowns and computed tags across the worker boundary (structured clone), and the
 * nightly job run from the jobs API — the path the appliance takes in production, which the in-memory
 * tests (local reader) do not.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { loadConfig } from "../src/config.ts";
import { silentLogger } from "../src/log.ts";
import { startServer, type RunningServer } from "../src/server.ts";
import { tempDir } from "./helpers.ts";

const WRITE_KEY = "wk_audiences_server_0123456789";
const ADMIN = "audiences-server-admin-token-0123456789";
const scratch = tempDir("tessera-audiences-e2e-");
let server: RunningServer;
let base = "";

async function call<T>(method: string, path: string, json?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, ...(json === undefined ? {} : { "content-type": "application/json" }) },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

beforeAll(async () => {
  const config = loadConfig({ TESSERA_PORT: "0", TESSERA_HOST: "127.0.0.1", TESSERA_DATA_DIR: scratch.dir, TESSERA_WRITE_KEY: WRITE_KEY, TESSERA_ADMIN_TOKEN: ADMIN });
  server = await startServer(config, { log: silentLogger, webRoot: null });
  base = server.url.href.replace(/\/$/, "");
  const day = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();
  const batch = [
    { type: "identify", userId: "s1", traits: { city: "Shanghai" }, timestamp: day(20) },
    { type: "identify", userId: "s2", traits: { city: "Shanghai" }, timestamp: day(20) },
    { type: "identify", userId: "b1", traits: { city: "Beijing" }, timestamp: day(20) },
    { type: "track", userId: "s1", event: "purchase", properties: { amount: 80 }, timestamp: day(3) },
    { type: "track", userId: "s1", event: "purchase", properties: { amount: 40 }, timestamp: day(2) },
    { type: "track", userId: "b1", event: "purchase", properties: { amount: 500 }, timestamp: day(1) },
  ];
  const res = await fetch(`${base}/v1/batch`, { method: "POST", headers: { "content-type": "application/json", authorization: `Basic ${btoa(`${WRITE_KEY}:`)}` }, body: JSON.stringify({ batch }) });
  expect(res.status).toBe(200);
});

afterAll(async () => {
  await server.stop();
  scratch.cleanup();
});

const spenders = { kind: "event", event: "purchase", window: { kind: "last", n: 7, unit: "day" }, measure: { fn: "sum", property: "amount" }, cmp: { op: "gte", value: 100 } };

test("preview, pack computation, breakdown and the nightly job through the store worker", async () => {
  const preview = await call<{ count: number; sample: { identifiers: { value: string }[] }[] }>("POST", "/api/audiences/preview", {
    definition: { kind: "and", children: [spenders, { kind: "attr", property: "city", op: "eq", value: "Shanghai" }] },
  });
  expect(preview.status).toBe(200);
  expect(preview.body.count).toBe(1);
  expect(preview.body.sample[0]!.identifiers).toContainEqual(expect.objectContaining({ value: "s1" }));

  const pack = await call<{ id: number }>("POST", "/api/audiences", { name: "Spenders", definition: spenders });
  const computed = await call<{ audience: { size: number } }>("POST", `/api/audiences/${pack.body.id}/compute`);
  expect(computed.body.audience.size).toBe(2);
  const analysis = await call<{ results: { buckets: { value: string; persons: number }[] }[] }>("GET", `/api/audiences/${pack.body.id}/analysis?traits=city`);
  expect(analysis.body.results[0]!.buckets).toEqual([{ value: "Beijing", persons: 1 }, { value: "Shanghai", persons: 1 }]);

  expect((await call("POST", "/api/tags", {
    kind: "computed", name: "rfm", definition: { fn: "rfm_class", orders: { event: "purchase", amountProperty: "amount", window: { n: 12, unit: "month" } } },
  })).status).toBe(201);
  const job = await call<{ lastStatus: string; lastSummary: string }>("POST", "/api/jobs/audiences-nightly/run?wait=30");
  expect(job.body).toMatchObject({ lastStatus: "ok", lastSummary: expect.stringContaining("steps") });
  const tags = await call<{ tags: { name: string; coverage: number }[] }>("GET", "/api/tags");
  expect(tags.body.tags.find((t) => t.name === "rfm")?.coverage).toBe(2);
});
