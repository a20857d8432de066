/**
 * ROUTES lists the logged-in pages in navigation order, grouped as the side navigation shows them. To add
 * a page, add a row (path, nav label, group, component); the navigation follows. Analysis and audience
 * pages are loaded on first visit (lazyPage) to keep the first load small.
 */
import type { FunctionComponent } from "preact";
import type { MessageKey } from "./i18n/en.ts";
import { lazyPage } from "./lazy.tsx";
import { AccountPage } from "./pages/account.tsx";
import { AuditPage } from "./pages/audit.tsx";
import { JobsPage } from "./pages/jobs.tsx";
import { OverviewPage } from "./pages/overview/overview.tsx";
import { SettingsPage } from "./pages/settings.tsx";
import { SourcesPage } from "./pages/sources.tsx";
import { TokensPage } from "./pages/tokens.tsx";
import { UsersPage } from "./pages/users.tsx";

export type NavGroup = "analytics" | "users" | "data" | "admin";

export interface Route {
  path: string;
  label: MessageKey;
  group: NavGroup;
  page: FunctionComponent;
  adminOnly?: boolean;
  /** hidden routes are reachable by link but not listed (a person page). */
  hidden?: boolean;
}

export const ROUTES: Route[] = [
  { path: "/overview", label: "nav.overview", group: "analytics", page: OverviewPage },
  { path: "/events", label: "nav.events", group: "analytics", page: lazyPage(async () => (await import("./pages/analysis/trends.tsx")).TrendsPage) },
  { path: "/funnels", label: "nav.funnels", group: "analytics", page: lazyPage(async () => (await import("./pages/analysis/funnel.tsx")).FunnelPage) },
  { path: "/retention", label: "nav.retention", group: "analytics", page: lazyPage(async () => (await import("./pages/analysis/retention.tsx")).RetentionPage) },
  { path: "/distribution", label: "nav.distribution", group: "analytics", page: lazyPage(async () => (await import("./pages/analysis/distribution.tsx")).DistributionPage) },
  { path: "/lifecycle", label: "nav.lifecycle", group: "analytics", page: lazyPage(async () => (await import("./pages/analysis/lifecycle.tsx")).LifecyclePage) },
  { path: "/stickiness", label: "nav.stickiness", group: "analytics", page: lazyPage(async () => (await import("./pages/analysis/lifecycle.tsx")).StickinessPage) },
  { path: "/paths", label: "nav.paths", group: "analytics", page: lazyPage(async () => (await import("./pages/analysis/paths.tsx")).PathsPage) },
  { path: "/audiences", label: "nav.audiences", group: "users", page: lazyPage(async () => (await import("./pages/audiences/audiences.tsx")).AudiencesRoot) },
  { path: "/tags", label: "nav.tags", group: "users", page: lazyPage(async () => (await import("./pages/tags/tags.tsx")).TagsPage) },
  { path: "/people", label: "nav.people", group: "users", page: lazyPage(async () => (await import("./pages/people/people.tsx")).PeopleRoot) },
  { path: "/sources", label: "nav.sources", group: "data", page: SourcesPage },
  { path: "/settings", label: "nav.settings", group: "data", page: SettingsPage },
  { path: "/tokens", label: "nav.tokens", group: "admin", page: TokensPage, adminOnly: true },
  { path: "/jobs", label: "nav.jobs", group: "admin", page: JobsPage },
  { path: "/users", label: "nav.users", group: "admin", page: UsersPage, adminOnly: true },
  { path: "/audit", label: "nav.audit", group: "admin", page: AuditPage, adminOnly: true },
  { path: "/account", label: "nav.account", group: "admin", page: AccountPage },
];

/** HOME is where "/" and a fresh login land. */
export const HOME = "/overview";
