/** Protects when a failed analysis offers Retry: only where a second try may pass, never for a refused query. */
import { expect, test } from "bun:test";
import { ApiError } from "../api.ts";
import { mayPassOnRetry } from "./run.ts";

test.each([
  [new TypeError("Failed to fetch"), true],
  [new ApiError(500, "internal error"), true],
  [new ApiError(503, "busy"), true],
  [new ApiError(429, "too many queries"), true],
  [new ApiError(408, "timeout"), true],
  [new ApiError(400, "formula uses C but there are 2 series"), false],
  [new ApiError(404, "no such insight"), false],
  [new ApiError(422, "invalid"), false],
] as const)("%p → retry %p", (e, retry) => {
  expect(mayPassOnRetry(e)).toBe(retry);
});
