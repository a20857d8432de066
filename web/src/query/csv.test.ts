/**
 * Protects CSV exports: quoting by RFC 4180, a BOM so Excel reads Chinese text, and no spreadsheet
 * formula injection through event property values that end up in a table.
 */
import { expect, test } from "bun:test";
import { toCsv } from "./csv.ts";

test("quotes, empties, numbers and CRLF lines with a UTF-8 BOM", () => {
  const csv = toCsv(["step", "persons"], [["浏览商品", 120], ['say "hi", then', null], ["multi\nline", 0.5], ["nan", Number.NaN]]);
  expect(csv).toBe('\uFEFFstep,persons\r\n浏览商品,120\r\n"say ""hi"", then",\r\n"multi\nline",0.5\r\nnan,\r\n');
});

test("text that a spreadsheet would evaluate is neutralised; negative numbers stay numbers", () => {
  const csv = toCsv(["v"], [["=HYPERLINK(\"http://x\")"], ["+1"], ["@SUM(A1)"], ["-2+3"], [-5]]);
  expect(csv.split("\r\n").slice(1, 6)).toEqual(["\"'=HYPERLINK(\"\"http://x\"\")\"", "'+1", "'@SUM(A1)", "'-2+3", "-5"]);
});
