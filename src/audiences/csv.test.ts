/**
 * Protects CSV export and import: quoting, embedded line breaks, Excel's BOM and CRLF, and the
 * formula-injection guard on exported cells.
 */
import { expect, test } from "bun:test";
import { csvCell, csvLine, parseCsv } from "./csv.ts";

test.each([
  ["plain", "plain"],
  ["a,b", '"a,b"'],
  ['say "hi"', '"say ""hi"""'],
  ["two\nlines", '"two\nlines"'],
  ["=HYPERLINK(1)", "'=HYPERLINK(1)"],
  ["-5", "'-5"],
  [null, ""],
  [{ a: 1 }, '"{""a"":1}"'],
])("csvCell(%p) = %p", (v, want) => {
  expect(csvCell(v)).toBe(want);
});

test("parseCsv reads what csvLine writes, plus BOM, CRLF and blank lines", () => {
  const text = `\ufeff${csvLine(["person", "tag", "value"])}${csvLine(["email:a@b.cn", "vip", ""])}\r\n${csvLine(["42", "tier", 'gold, "plus"\nline'])}`;
  expect(parseCsv(text)).toEqual([
    ["person", "tag", "value"],
    ["email:a@b.cn", "vip", ""],
    ["42", "tier", 'gold, "plus"\nline'],
  ]);
  expect(parseCsv("a,b\n1,2")).toEqual([["a", "b"], ["1", "2"]]);
});
