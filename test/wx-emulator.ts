/**
 * A small emulation of the WeChat Mini Program runtime, enough to run a mini-program SDK in Bun the way WeChat
 * runs it: the global `Page` and `Component` constructors, `getCurrentPages()`, a page stack with the documented
 * lifecycle order (page onLoad → onShow; navigateTo hides the old page; navigateBack unloads the top page and
 * shows the one below; going to the background hides the page, then wx.onAppHide listeners run), and the
 * documented shapes of the `wx` APIs the SDK calls:
 * - wx.request really sends (fetch). success gets `{data, statusCode, header, cookies, errMsg: "request:ok"}`
 *   (data parsed as JSON when it is JSON, dataType "json"); fail gets `{errMsg: "request:fail …", errno}`. An
 *   object `data` with a JSON content-type is serialised, a string sent as it is. Only https URLs in the legal
 *   domain list are allowed, unless `checkDomain: false` (the developer tools' "do not check domains" switch).
 * - getStorageSync gives "" for a missing key; setStorageSync keeps a serialised copy (not the object).
 * - getLaunchOptionsSync, onAppShow listeners: `{path, scene, query, referrerInfo, …}`.
 * - getAccountInfoSync: `{miniProgram: {appId, envVersion, version}}`; getSystemInfoSync and its replacements
 *   getDeviceInfo / getWindowInfo / getAppBaseInfo (base library ≥ 2.20.1; `legacy: true` leaves them out).
 *
 * App({onLaunch, onShow, onHide}) gets its lifecycle calls too.
 *
 * A module is loaded as WeChat's `define` wrapper runs a file: a function of (require, module, exports) whose
 * free names are the runtime's globals. `wx`, `getCurrentPages`, `setTimeout` and `clearTimeout` are passed in
 * (so two runtimes in one test do not share them, and `kill()` can stop a dead app's timers); `Page` and
 * `Component` are real globals, because the SDK replaces them.
 */

type Props = Record<string, unknown>;
type Fn = (this: unknown, ...args: unknown[]) => unknown;

export interface EnterOptions {
  path: string;
  scene: number;
  query: Record<string, string>;
  referrerInfo: { appId?: string; extraData?: Props };
}

/** A request the mini program made, with what it sent and how it ended. */
export interface SentRequest {
  url: string;
  method: string;
  header: Record<string, string>;
  body: string;
  statusCode: number | null;
  errMsg: string;
}

export interface WxOptions {
  appId?: string;
  envVersion?: "develop" | "trial" | "release";
  version?: string;
  /** The request legal domains (origins); checked unless checkDomain is false. */
  domains?: string[];
  checkDomain?: boolean;
  /** Storage to start from (a relaunch of the same mini program on the same phone: pass the last one's). */
  storage?: Map<string, string>;
  /** Only getSystemInfoSync, as on base libraries before 2.20.1. */
  legacy?: boolean;
}

interface PageDef {
  kind: "page" | "component";
  options: Props;
}

interface PageInstance extends Props {
  route: string;
  options: Record<string, string>;
}

const SYSTEM_INFO = {
  brand: "iPhone",
  model: "iPhone 15 Pro<iPhone16,1>",
  pixelRatio: 3,
  screenWidth: 393,
  screenHeight: 852,
  windowWidth: 393,
  windowHeight: 759,
  statusBarHeight: 59,
  language: "zh_CN",
  version: "8.0.50",
  system: "iOS 17.4.1",
  platform: "ios",
  fontSizeSetting: 17,
  SDKVersion: "3.4.10",
  benchmarkLevel: -1,
};

function split(url: string): { route: string; query: Record<string, string> } {
  const q = url.indexOf("?");
  const route = (q < 0 ? url : url.slice(0, q)).replace(/^\//, "");
  const query: Record<string, string> = {};
  // WeChat hands page options over as written in the URL, without decoding them.
  if (q >= 0) for (const pair of url.slice(q + 1).split("&")) {
    const eq = pair.indexOf("=");
    if (eq > 0) query[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { route, query };
}

export class WxRuntime {
  readonly storage: Map<string, string>;
  readonly requests: SentRequest[] = [];
  readonly warnings: string[] = [];
  private readonly defs = new Map<string, PageDef>();
  private readonly stack: PageInstance[] = [];
  private readonly showListeners: ((o: EnterOptions) => void)[] = [];
  private readonly hideListeners: (() => void)[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private enter: EnterOptions = { path: "", scene: 1001, query: {}, referrerInfo: {} };
  private registering: string | null = null;
  /** The options app.js gave App(), if it called it. */
  private app: Props | null = null;
  private dead = false;
  /** How many of the next requests reach the server but lose their answer (fail with a timeout). */
  loseResponses = 0;
  readonly wx: Props;

  constructor(private readonly opts: WxOptions = {}) {
    this.storage = opts.storage ?? new Map();
    const appId = opts.appId ?? "wx0000000000000000";
    const info = { ...SYSTEM_INFO };
    const wx: Props = {
      request: (o: Props) => this.request(o),
      getStorageSync: (key: string) => {
        const v = this.storage.get(key);
        return v === undefined ? "" : JSON.parse(v);
      },
      setStorageSync: (key: string, value: unknown) => {
        if (typeof key !== "string" || key === "") throw new Error("setStorageSync:fail parameter error: key should be String");
        this.storage.set(key, JSON.stringify(value));
      },
      removeStorageSync: (key: string) => void this.storage.delete(key),
      getLaunchOptionsSync: () => structuredClone(this.enter),
      getEnterOptionsSync: () => structuredClone(this.enter),
      getAccountInfoSync: () => ({ miniProgram: { appId, envVersion: opts.envVersion ?? "release", version: opts.version ?? "" }, plugin: {} }),
      getSystemInfoSync: () => ({ ...info }),
      onAppShow: (f: (o: EnterOptions) => void) => void this.showListeners.push(f),
      onAppHide: (f: () => void) => void this.hideListeners.push(f),
    };
    if (!opts.legacy) {
      wx.getDeviceInfo = () => ({ abi: "arm64", benchmarkLevel: -1, brand: info.brand, model: info.model, system: info.system, platform: info.platform, memorySize: 8192 });
      wx.getWindowInfo = () => ({ pixelRatio: info.pixelRatio, screenWidth: info.screenWidth, screenHeight: info.screenHeight, windowWidth: info.windowWidth, windowHeight: info.windowHeight, statusBarHeight: info.statusBarHeight, safeArea: {} });
      wx.getAppBaseInfo = () => ({ SDKVersion: info.SDKVersion, enableDebug: false, host: { appId: "wx1000" }, language: info.language, version: info.version, theme: "light", fontSizeSetting: info.fontSizeSetting });
    }
    this.wx = wx;
  }

  /**
   * require runs a CommonJS module as WeChat's `define` wrapper does and returns its exports. The global Page
   * and Component are (re)installed first, so what the module does to them is what pages registered later see.
   */
  require(code: string, modules: Record<string, string> = {}): unknown {
    Object.assign(globalThis, {
      Page: (options: Props) => this.define("page", options),
      Component: (options: Props) => this.define("component", options),
      App: (options: Props) => {
        if (this.app) throw new Error("App() called twice");
        this.app = options;
      },
    });
    const module = { exports: {} as unknown };
    const setTimer = (f: () => void, ms?: number) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        if (!this.dead) f();
      }, ms);
      this.timers.add(t);
      return t;
    };
    const clearTimer = (t: ReturnType<typeof setTimeout> | undefined) => {
      if (t === undefined) return;
      clearTimeout(t);
      this.timers.delete(t);
    };
    const getCurrentPages = () => this.stack.slice();
    const console_ = { ...console, warn: (...a: unknown[]) => void this.warnings.push(a.join(" ")), error: (...a: unknown[]) => void this.warnings.push(a.join(" ")) };
    new Function("require", "module", "exports", "wx", "getCurrentPages", "setTimeout", "clearTimeout", "console", code)(
      (path: string) => {
        const m = modules[path];
        if (m === undefined) throw new Error(`module "${path}" is not defined`);
        return this.require(m);
      },
      module, module.exports, this.wx, getCurrentPages, setTimer, clearTimer, console_,
    );
    return module.exports;
  }

  /** page registers a page file: `register` calls Page({…}) or Component({…}), as the page's .js does. */
  page(route: string, register: () => void): void {
    this.registering = route;
    try {
      register();
    } finally {
      this.registering = null;
    }
    if (!this.defs.has(route)) throw new Error(`${route} did not call Page() or Component()`);
  }

  /** launch is a cold start: onAppShow listeners with the launch options, then the entry page loads and shows. */
  launch(enter: Partial<EnterOptions> & { path: string }): void {
    this.enter = { scene: 1001, query: {}, referrerInfo: {}, ...enter };
    this.lifecycle(this.app ?? undefined, "onLaunch", structuredClone(this.enter));
    this.lifecycle(this.app ?? undefined, "onShow", structuredClone(this.enter));
    for (const f of this.showListeners) f(structuredClone(this.enter));
    this.open(`${this.enter.path}?${new URLSearchParams(this.enter.query)}`);
  }

  navigateTo(url: string): void {
    this.lifecycle(this.top(), "onHide");
    this.open(url);
  }

  navigateBack(): void {
    this.lifecycle(this.top(), "onUnload");
    this.stack.pop();
    this.lifecycle(this.top(), "onShow");
  }

  /** hide: the user leaves the mini program (home button, another chat): the page hides, then the app. */
  hide(): void {
    this.lifecycle(this.top(), "onHide");
    this.lifecycle(this.app ?? undefined, "onHide");
    for (const f of this.hideListeners) f();
  }

  /** show: back to the foreground (a hot start), possibly from another entry. */
  show(enter: Partial<EnterOptions> = {}): void {
    this.enter = { ...this.enter, ...enter };
    this.lifecycle(this.app ?? undefined, "onShow", structuredClone(this.enter));
    for (const f of this.showListeners) f(structuredClone(this.enter));
    this.lifecycle(this.top(), "onShow");
  }

  /** kill destroys the app in the background: its timers never fire and its requests' callbacks never run. */
  kill(): void {
    this.dead = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** idle waits until no request is in flight (including requests started by callbacks of earlier ones). */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private top(): PageInstance | undefined {
    return this.stack[this.stack.length - 1];
  }

  private define(kind: PageDef["kind"], options: Props): void {
    if (this.registering === null) {
      if (kind === "component") return; // a plain component outside any page file: not a page
      throw new Error("Page() called outside a page file");
    }
    this.defs.set(this.registering, { kind, options });
  }

  /** open creates the page instance as WeChat does (Page: the options' fields; Component: its methods), loads and shows it. */
  private open(url: string): void {
    const { route, query } = split(url);
    const def = this.defs.get(route);
    if (!def) throw new Error(`navigateTo:fail page "${route}" is not found`);
    const own = def.kind === "page" ? def.options : ((def.options.methods as Props | undefined) ?? {});
    const page: PageInstance = { ...structuredClone(def.options.data ?? {}), ...own, data: structuredClone(def.options.data ?? {}), route, options: query };
    this.stack.push(page);
    this.lifecycle(page, "onLoad", query);
    this.lifecycle(page, "onShow");
  }

  private lifecycle(page: Props | undefined, name: string, arg?: unknown): void {
    const f = page?.[name];
    if (typeof f === "function") (f as Fn).call(page, arg);
  }

  private request(o: Props): { abort(): void } {
    const success = o.success as ((r: Props) => void) | undefined;
    const fail = o.fail as ((e: Props) => void) | undefined;
    const complete = o.complete as ((r: Props) => void) | undefined;
    const url = String(o.url);
    const method = String(o.method ?? "GET").toUpperCase();
    const header = { ...(o.header as Record<string, string> | undefined) };
    const contentType = Object.entries(header).find(([k]) => k.toLowerCase() === "content-type")?.[1] ?? "application/json";
    const body = typeof o.data === "string" ? o.data : o.data === undefined ? "" : contentType.includes("json") ? JSON.stringify(o.data) : String(o.data);
    const sent: SentRequest = { url, method, header, body, statusCode: null, errMsg: "" };
    this.requests.push(sent);
    const finish = (ok: boolean, r: Props) => {
      sent.errMsg = String(r.errMsg);
      if (this.dead) return;
      if (ok) success?.(r);
      else fail?.(r);
      complete?.(r);
    };
    const origin = (() => {
      try {
        return new URL(url).origin;
      } catch {
        return "";
      }
    })();
    if (this.opts.checkDomain !== false && (!url.startsWith("https://") || !(this.opts.domains ?? []).includes(origin))) {
      const errMsg = `request:fail url not in domain list`;
      queueMicrotask(() => finish(false, { errMsg, errno: 600002 }));
      return { abort() {} };
    }
    const lose = this.loseResponses > 0;
    if (lose) this.loseResponses--;
    const p = (async () => {
      try {
        const res = await fetch(url, { method, headers: { "content-type": contentType, ...header }, body: method === "GET" ? undefined : body });
        const text = await res.text();
        sent.statusCode = res.status;
        if (lose) return finish(false, { errMsg: "request:fail timeout", errno: 5 });
        let data: unknown = text;
        if (o.dataType === undefined || o.dataType === "json") {
          try {
            data = JSON.parse(text);
          } catch {
            // not JSON: the text, as WeChat gives it
          }
        }
        const responseHeader: Record<string, string> = {};
        res.headers.forEach((v, k) => (responseHeader[k] = v));
        finish(true, { data, statusCode: res.status, header: responseHeader, cookies: [], errMsg: "request:ok" });
      } catch (e) {
        finish(false, { errMsg: `request:fail ${(e as Error).message}`, errno: 600001 });
      }
    })();
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
    return { abort() {} };
  }
}
