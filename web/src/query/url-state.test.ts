/**
 * Protects shared links: a query survives the address bar exactly, and a link that is broken or meant
 * for another analysis falls back to the page's default instead of crashing the page.
 */
import { expect, test } from "bun:test";
import { decodeQuery, encodeQuery, shareUrl } from "./url-state.ts";
import type { FunnelQuery } from "./types.ts";

const funnel: FunnelQuery = {
  kind: "funnel",
  steps: [{ event: "浏览商品" }, { event: "pay", where: { property: "amount", type: "event", op: "gt", value: 10 } }],
  window: { n: 30, unit: "minute" },
  dateFrom: "-29d",
  dateTo: "today",
};

test("a query round-trips through a shared URL", () => {
  const url = new URL(shareUrl("http://localhost:8080", "/funnels", funnel));
  expect(url.pathname).toBe("/funnels");
  expect(decodeQuery(url.searchParams.get("q"), "funnel")).toEqual(funnel);
});

test("missing, unreadable or foreign links give null", () => {
  expect(decodeQuery(null, "funnel")).toBeNull();
  expect(decodeQuery("{not json", "funnel")).toBeNull();
  expect(decodeQuery("[1,2]", "funnel")).toBeNull();
  expect(decodeQuery(encodeQuery(funnel), "retention")).toBeNull();
});
