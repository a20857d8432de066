import { expect, test } from "bun:test";
import { nextAfterLogin } from "./next-path.ts";

test("a login returns to the dashboard path it was sent from, with its search", () => {
  expect(nextAfterLogin("?next=%2Fpeople%2F12")).toBe("/people/12");
  expect(nextAfterLogin(`?next=${encodeURIComponent("/events?q=%7B%7D")}`)).toBe("/events?q=%7B%7D");
});

test("nothing, another site, or the login and setup pages themselves lead to the overview", () => {
  for (const search of ["", "?next=", "?next=https%3A%2F%2Fevil.example", "?next=%2F%2Fevil.example", "?next=%2F%5Cevil.example", "?next=javascript%3Aalert(1)", "?next=%2Flogin", "?next=%2Flogin%3Fnext%3D%2Fx", "?next=%2Fsetup"]) {
    expect(nextAfterLogin(search)).toBeNull();
  }
});

test("a path a browser would read as another site (tabs, newlines, backslashes inside) leads to the overview", () => {
  for (const next of ["/\t/evil.example", "/\n/evil.example", "/\r\\evil.example", "/\t\\evil.example"]) {
    expect(nextAfterLogin(`?next=${encodeURIComponent(next)}`)).toBeNull();
  }
  expect(nextAfterLogin(`?next=${encodeURIComponent("/./login")}`)).toBeNull();
});
