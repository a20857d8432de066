import { expect, test } from "bun:test";
import { sourceSnippets } from "./source-snippets.ts";

test("a write key with characters a URL reserves is encoded in the Sensors server_url", () => {
  const { sensors } = sourceSnippets("https://t.example.cn", 'k&y#"%');
  expect(sensors.code).toContain('server_url: "https://t.example.cn/sa?project=k%26y%23%22%25"');
  expect(sensors.code).not.toContain("project=k&y");
});
