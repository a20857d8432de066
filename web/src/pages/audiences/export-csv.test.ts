/** Protects the export dialog's choice of trait columns and the download address it builds. */
import { expect, test } from "bun:test";
import type { PropertyInfo } from "../../query/types.ts";
import { exportableTraits, exportHref } from "./export-csv.tsx";

const prop = (key: string, count: number, type: PropertyInfo["type"] = "person"): PropertyInfo => ({ key, type, types: ["string"], count, topValues: [] });

test("person traits most common first; tags, event properties and the contact columns left out", () => {
  const props = [prop("gender", 10), prop("city", 40), prop("email", 50), prop("phone", 30), prop("$tag:vip", 20), prop("revenue", 99, "event"), prop("age", 10)];
  expect(exportableTraits(props)).toEqual(["city", "age", "gender"]);
  expect(exportableTraits(Array.from({ length: 60 }, (_, i) => prop(`t${i}`, i)))).toHaveLength(50);
});

test("the download address asks for the chosen traits", () => {
  expect(exportHref(3, [])).toBe("/api/audiences/3/export.csv");
  expect(exportHref(3, ["city", "first_channel"])).toBe("/api/audiences/3/export.csv?traits=city%2Cfirst_channel");
});
