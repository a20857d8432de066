/**
 * Protects the reading of `sources.settings`: an empty or old row gets the documented defaults (truncate IPs,
 * flag bots, analytics consent categories), unknown keys are ignored, and a wrong value fails loudly.
 */
import { expect, test } from "bun:test";
import { defaultSettings, parseSourceSettings } from "./source.ts";

test("defaults", () => {
  expect(parseSourceSettings("{}")).toEqual({ ipPolicy: "truncate", bots: "flag", consentCategories: ["analytics", "statistics", "measurement"] });
  expect(defaultSettings).toEqual(parseSourceSettings("{}"));
});

test("values and unknown keys", () => {
  expect(parseSourceSettings('{"ipPolicy":"drop","bots":"drop","color":"red"}')).toMatchObject({ ipPolicy: "drop", bots: "drop" });
});

test("a wrong value throws", () => {
  expect(() => parseSourceSettings('{"ipPolicy":"hash"}')).toThrow();
  expect(() => parseSourceSettings("not json")).toThrow();
});
