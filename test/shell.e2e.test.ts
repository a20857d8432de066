/**
 * The dashboard shell in a real browser (headless Chromium): first-run setup with the code from the
 * log, logout and login, creating a source and seeing its write key and snippet, an API token shown
 * once, the other pages, and the language switch, all with zero console errors (a CSP violation or a
 * failed request shows up as one). Screenshots go to test-artifacts/. Skips, saying so, without Chromium.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { loadConfig } from "../src/config.ts";
import { createLogger } from "../src/log.ts";
import { startServer, type RunningServer } from "../src/server.ts";
import { tempDir } from "./helpers.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(import.meta.dir, "..", "test-artifacts");
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`SKIPPING the dashboard browser test: ${CHROMIUM} is missing (apt-get install -y chromium)`);

let browser: Browser;
let server: RunningServer;
let data: { dir: string; cleanup: () => void };
const logLines: string[] = [];

beforeAll(async () => {
  if (!hasChromium) return;
  data = tempDir();
  server = await startServer(loadConfig({ TESSERA_PORT: "0", TESSERA_HOST: "127.0.0.1", TESSERA_DATA_DIR: data.dir }), {
    log: createLogger("info", (l) => logLines.push(l)),
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  data?.cleanup();
});

function watch(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  return errors;
}

/** nav is a link of the side navigation (page bodies may link to the same places). */
const nav = (page: Page, name: string) => page.getByRole("navigation").getByRole("link", { name, exact: true });

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `shell-${name}.png`), fullPage: true });

test.skipIf(!hasChromium)(
  "setup → logout → login → create source → write key; tokens, settings, jobs, audit, users, account; 中文",
  async () => {
    const code = /setup code: ([A-Z0-9-]{14})/.exec(logLines.join("\n"))?.[1];
    expect(code).toBeDefined();
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 }, locale: "en-US" });
    const errors = watch(page);
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url.origin });

    await page.goto(server.url.href);
    await page.getByRole("heading", { name: "Set up Tessera" }).waitFor();
    // The shell renders the setup page first and moves the address to /setup in an effect after the
    // paint, so the heading can be visible a frame before the URL changes.
    await page.waitForURL((u) => u.pathname === "/setup");
    await shot(page, "1-setup");
    await page.getByLabel("Setup code from the server log").fill(code ?? "");
    await page.getByLabel("Admin e-mail").fill("admin@example.com");
    await page.getByLabel("Password (at least 10 characters)").fill("correct horse battery");
    await page.getByRole("button", { name: "Create admin account" }).click();
    await page.getByRole("heading", { name: "Overview" }).waitFor(); // the home page after setup
    await nav(page, "Sources").click();
    await page.getByRole("heading", { name: "Sources" }).waitFor();
    // The heading renders before the source list has loaded; wait for the empty state itself.
    await page.getByText("No sources yet").waitFor();

    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByRole("heading", { name: "Log in to Tessera" }).waitFor();
    // A signed-out visit of the dashboard logs nothing either (it asks the public /api/setup first).
    await page.reload();
    await page.getByRole("heading", { name: "Log in to Tessera" }).waitFor();
    expect(errors).toEqual([]);
    await shot(page, "2-login");
    await page.getByLabel("E-mail").fill("admin@example.com");
    await page.getByLabel("Password").fill("wrong password");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("alert").textContent()).toContain("Wrong e-mail or password");
    errors.splice(0); // the 401 of the wrong password is logged by the browser on purpose
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    await nav(page, "Sources").click();
    await page.getByRole("heading", { name: "Sources" }).waitFor();

    await page.getByLabel("New source").fill("Website");
    await page.getByRole("button", { name: "Create" }).click();
    const key = page.getByTestId("write-key");
    await key.waitFor();
    expect(await key.textContent()).toMatch(/^wk_[0-9A-Za-z]{32}$/);
    const snippet = await page.locator("figure.code pre").first().textContent();
    expect(snippet).toContain(`tessera.init("${await key.textContent()}"`);
    expect(snippet).toContain(`${server.url.origin}/sdk.js`);
    await page.getByRole("button", { name: "Copy: Write key" }).click();
    await page.getByRole("button", { name: "Copied: Write key" }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe((await key.textContent()) ?? "");
    await shot(page, "3-source");
    await page.getByRole("tab", { name: "PostHog" }).click();
    const [browserInstall, browserCode, nodeInstall, nodeCode] = await page.locator("figure.code pre").allTextContents();
    expect([browserInstall, nodeInstall]).toEqual(["npm install posthog-js", "npm install posthog-node"]);
    expect(browserCode).toContain(`posthog.init("${await key.textContent()}", { api_host: "${server.url.origin}" })`);
    expect(nodeCode).toContain(`new PostHog("${await key.textContent()}", { host: "${server.url.origin}" })`);
    await shot(page, "3b-source-posthog");
    // A new project's overview shows the first steps until an event comes, then its numbers, without a reload.
    const writeKey = (await key.textContent()) ?? "";
    await nav(page, "Overview").click();
    const firstSteps = page.getByRole("heading", { name: "Send your first event" });
    await firstSteps.waitFor();
    const sent = await fetch(new URL("/v1/track", server.url), {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Basic ${btoa(`${writeKey}:`)}` },
      body: JSON.stringify({ event: "first_event", anonymousId: "first-visitor" }),
    });
    expect(sent.status).toBe(200);
    await firstSteps.waitFor({ state: "detached", timeout: 15_000 });
    await nav(page, "Sources").click();
    await page.getByRole("heading", { name: "Sources" }).waitFor();
    // A source can stand for a platform: its events then show as that platform in people's timelines.
    await page.getByLabel("New source").fill("Tmall store");
    await page.locator("form.inline-form").getByLabel("Platform").selectOption({ label: "Taobao / Tmall" });
    await page.getByRole("button", { name: "Create" }).click();
    await page.getByRole("row", { name: /Tmall store/ }).getByRole("cell", { name: "Taobao / Tmall" }).waitFor();
    expect(await page.getByRole("row", { name: /^Website/ }).getByRole("cell", { name: "—" }).count()).toBe(1);
    // …and a source's platform can be changed later, with its data handling.
    await page.getByRole("button", { name: "Website" }).click();
    const handling = page.getByRole("form", { name: "Data handling" });
    await handling.getByLabel("Platform").selectOption({ label: "WeChat Mini Program" });
    await handling.getByRole("button", { name: "Save" }).click();
    await page.getByRole("row", { name: /^Website/ }).getByRole("cell", { name: "WeChat Mini Program" }).waitFor();
    const kinds = await page.evaluate(() => fetch("/api/sources").then((r) => r.json()));
    expect((kinds as { results: { name: string; kind: string }[] }).results.map((s) => [s.name, s.kind])).toEqual([["Website", "wx_mini"], ["Tmall store", "tmall"]]);
    // A source can keep the write key the app's SDKs already send, so only the host changes.
    await page.getByLabel("New source").fill("Old Segment app");
    await page.getByLabel("Write key (optional)").fill("9zmhjfqv3U5dCm7qL2MjH7Qd4aJrXe1b");
    await page.getByRole("button", { name: "Create" }).click();
    await page.getByRole("row", { name: /Old Segment app/ }).getByText("9zmhjfq…").waitFor();

    await nav(page, "API tokens").click();
    await page.getByLabel("New token").fill("BI tool");
    await page.getByRole("button", { name: "Create" }).click();
    const token = page.getByTestId("new-token");
    await token.waitFor();
    expect(await token.textContent()).toMatch(/^tsk_[0-9A-Za-z]{40}$/);
    await shot(page, "4-tokens");

    await nav(page, "Settings").click();
    await page.getByLabel("Time zone").waitFor();
    await page.getByLabel("Time zone").fill("Europe/Berlin");
    // The first form is the project settings (the identity rules follow it).
    await page.getByRole("button", { name: "Save" }).first().click();
    await page.getByText("Saved.").waitFor();
    await shot(page, "5-settings");

    await nav(page, "Jobs").click();
    await page.getByText("sessions-cleanup").waitFor();
    expect(await page.getByText("Europe/Berlin").count()).toBeGreaterThan(0);
    // Common cron patterns are said in words beside the pattern.
    expect(await page.getByRole("row", { name: /sessions-cleanup/ }).textContent()).toContain("17 * * * *hourly at :17 · Europe/Berlin");
    await page.getByRole("row", { name: /sessions-cleanup/ }).getByRole("button", { name: "Run now" }).click();
    await page.getByText(/^Deleted \d+ expired sessions and \d+ old audit entries$/).waitFor();
    await shot(page, "6-jobs");

    await nav(page, "Audit log").click();
    await page.getByText("source.created").first().waitFor();
    expect(await page.getByText("source.created").count()).toBe(3);
    expect(await page.getByText("token.created").count()).toBe(1);
    await shot(page, "7-audit");

    await nav(page, "Users").click();
    await page.getByLabel("E-mail").fill("ana@example.com");
    await page.getByLabel("Initial password (at least 10 characters)").fill("analyst password");
    await page.getByRole("button", { name: "Add a user" }).click();
    await page.getByRole("cell", { name: "ana@example.com" }).waitFor();
    await shot(page, "8-users");

    await nav(page, "My account").click();
    await page.getByLabel("Current password").fill("correct horse battery");
    await page.getByLabel("New password (at least 10 characters)").fill("an even better password");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Password changed.").waitFor();

    await page.getByRole("combobox", { name: "Language" }).selectOption("zh");
    await nav(page, "数据源").click();
    await page.getByRole("heading", { name: "数据源" }).waitFor();
    await page.getByRole("button", { name: "Website" }).click();
    // Times follow the UI language, not the browser's (here en-US): 24-hour clock, no AM/PM.
    expect(await page.locator(".legend-at").first().textContent()).toMatch(/^\d\d:00$/);
    await shot(page, "9-zh");
    // The last run's result too is said in the UI language.
    await nav(page, "任务").click();
    await page.getByText(/^删除了 \d+ 个过期会话和 \d+ 条过期审计记录$/).waitFor();
    await nav(page, "数据源").click();
    await page.reload();
    await page.getByRole("heading", { name: "数据源" }).waitFor(); // the choice is remembered
    // A refusal is said in the UI language first; the server's own words follow.
    await nav(page, "我的账号").click();
    await page.getByLabel("当前密码").fill("not my password");
    await page.getByLabel("新密码（至少 10 个字符）").fill("yet another password");
    await page.getByRole("button", { name: "保存" }).click();
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("alert").textContent()).toBe("操作被拒绝：the current password is wrong");
    errors.splice(0); // the 403 is logged by the browser on purpose

    expect(errors).toEqual([]);
    await page.close();
  },
  60_000,
);
