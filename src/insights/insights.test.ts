/**
 * Protects saved insights and dashboards: an insight keeps the query body byte for byte (opening it must
 * re-run the same analysis), cards keep the order the user dragged them into, deleting an insight takes
 * its cards along, the overview dashboard always exists, and analysts may look but not change.
 */
import { describe, expect, test } from "bun:test";
import { testApp, type Caller } from "../../test/app-helpers.ts";
import type { Dashboard, DashboardSummary, Insight } from "./insights.repo.ts";

const FUNNEL = { kind: "funnel", steps: [{ event: "view" }, { event: "pay", where: { property: "amount", type: "event", op: "gt", value: 10 } }], window: { n: 1, unit: "day" } } as const;
const TRENDS = { kind: "trends", series: [{ event: "signup", math: "users" }], interval: "week", dateFrom: "-30d" } as const;

async function setup() {
  const t = testApp();
  const op = await t.asUser("operator");
  const call = async <T,>(method: string, path: string, json?: unknown, who: Caller = op) => {
    const res = await t.call(method, path, { headers: who.headers, json });
    return { status: res.status, body: (await res.json()) as T };
  };
  return { t, op, call };
}

describe("/api/insights", () => {
  test("save, list, open, rename, change the query, delete", async () => {
    const { t, call } = await setup();
    const created = await call<Insight>("POST", "/api/insights", { name: "Checkout funnel", query: FUNNEL, display: { view: "steps" } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "Checkout funnel", kind: "funnel", query: FUNNEL, display: { view: "steps" }, createdBy: expect.stringMatching(/^user:operator/) });

    t.clock.advance(1000);
    const second = await call<Insight>("POST", "/api/insights", { name: "Weekly signups", query: TRENDS });
    expect(second.body.display).toEqual({});

    const all = await call<{ results: Insight[] }>("GET", "/api/insights");
    expect(all.body.results.map((i) => i.name)).toEqual(["Weekly signups", "Checkout funnel"]);
    const funnels = await call<{ results: Insight[] }>("GET", "/api/insights?kind=funnel");
    expect(funnels.body.results.map((i) => i.id)).toEqual([created.body.id]);

    const renamed = await call<Insight>("PATCH", `/api/insights/${created.body.id}`, { name: "Pay funnel", query: { ...FUNNEL, order: "strict" } });
    expect(renamed.body).toMatchObject({ name: "Pay funnel", query: { order: "strict" }, display: { view: "steps" } });
    expect((await call<Insight>("GET", `/api/insights/${created.body.id}`)).body.name).toBe("Pay funnel");

    expect((await call("DELETE", `/api/insights/${created.body.id}`)).status).toBe(200);
    expect((await call("GET", `/api/insights/${created.body.id}`)).status).toBe(404);
    expect((await call("DELETE", `/api/insights/${created.body.id}`)).status).toBe(404);
  });

  test.each([
    ["no name", { query: TRENDS }],
    ["an unknown kind", { name: "x", query: { kind: "sorcery" } }],
    ["a funnel with one step", { name: "x", query: { kind: "funnel", steps: [{ event: "view" }] } }],
    ["a sum without its property", { name: "x", query: { kind: "trends", series: [{ event: "pay", math: "sum" }] } }],
    ["a query that is not an object", { name: "x", query: "trends" }],
    ["an unknown chart", { name: "x", query: TRENDS, display: { chart: "pie3d" } }],
    ["an unknown field", { name: "x", query: TRENDS, owner: "me" }],
  ])("refuses %s with 400", async (_, body) => {
    const { call } = await setup();
    expect((await call("POST", "/api/insights", body)).status).toBe(400);
  });

  test("analysts read, only operators and admins write", async () => {
    const { t, call } = await setup();
    const analyst = await t.asUser("analyst");
    const { body } = await call<Insight>("POST", "/api/insights", { name: "A", query: TRENDS });
    expect((await call("GET", `/api/insights/${body.id}`, undefined, analyst)).status).toBe(200);
    expect((await call("POST", "/api/insights", { name: "B", query: TRENDS }, analyst)).status).toBe(403);
    expect((await call("PATCH", `/api/insights/${body.id}`, { name: "C" }, analyst)).status).toBe(403);
    expect((await call("DELETE", `/api/insights/${body.id}`, undefined, analyst)).status).toBe(403);
    expect((await call("PATCH", "/api/dashboards/1", { cards: [] }, analyst)).status).toBe(403);
  });
});

describe("/api/dashboards", () => {
  test("the overview exists; cards are added, reordered, resized, and leave with their insight", async () => {
    const { call } = await setup();
    const list = await call<{ results: DashboardSummary[] }>("GET", "/api/dashboards");
    expect(list.body.results).toEqual([expect.objectContaining({ id: 1, name: "Overview", cards: 0 })]);

    const a = (await call<Insight>("POST", "/api/insights", { name: "A", query: TRENDS, dashboardId: 1 })).body;
    const b = (await call<Insight>("POST", "/api/insights", { name: "B", query: FUNNEL, dashboardId: 1 })).body;
    const c = (await call<Insight>("POST", "/api/insights", { name: "C", query: TRENDS })).body;
    let home = (await call<Dashboard>("GET", "/api/dashboards/1")).body;
    expect(home.cards.map((x) => [x.insight.name, x.width])).toEqual([["A", "half"], ["B", "half"]]);
    expect(home.cards[1]!.insight.query).toEqual(FUNNEL);

    home = (await call<Dashboard>("PATCH", "/api/dashboards/1", { cards: [{ insightId: c.id, width: "full" }, { insightId: a.id }, { insightId: b.id }] })).body;
    expect(home.cards.map((x) => [x.insight.name, x.width])).toEqual([["C", "full"], ["A", "half"], ["B", "half"]]);

    await call("DELETE", `/api/insights/${a.id}`);
    home = (await call<Dashboard>("GET", "/api/dashboards/1")).body;
    expect(home.cards.map((x) => x.insight.name)).toEqual(["C", "B"]);

    const bad = await call<{ error: string }>("PATCH", "/api/dashboards/1", { cards: [{ insightId: 999 }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain("999");
    expect((await call<Dashboard>("GET", "/api/dashboards/1")).body.cards).toHaveLength(2); // unchanged

    expect((await call("POST", "/api/insights", { name: "D", query: TRENDS, dashboardId: 42 })).status).toBe(404);
    expect((await call<{ results: Insight[] }>("GET", "/api/insights")).body.results.map((i) => i.name)).not.toContain("D");
  });

  test("create, rename, delete; names are unique and the overview stays", async () => {
    const { call } = await setup();
    const sales = await call<Dashboard>("POST", "/api/dashboards", { name: "Sales" });
    expect(sales.status).toBe(201);
    expect(sales.body).toMatchObject({ name: "Sales", cards: [] });
    expect((await call("POST", "/api/dashboards", { name: "Sales" })).status).toBe(409);
    expect((await call("PATCH", `/api/dashboards/${sales.body.id}`, { name: "Overview" })).status).toBe(409);
    expect((await call<Dashboard>("PATCH", `/api/dashboards/${sales.body.id}`, { name: "Revenue" })).body.name).toBe("Revenue");
    expect((await call("DELETE", "/api/dashboards/1")).status).toBe(409);
    expect((await call("DELETE", `/api/dashboards/${sales.body.id}`)).status).toBe(200);
    expect((await call("GET", `/api/dashboards/${sales.body.id}`)).status).toBe(404);
    expect((await call("PATCH", "/api/dashboards/77", { name: "x" })).status).toBe(404);
  });
});
