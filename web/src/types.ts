/** The API's types, imported from the server modules that define them (type-only: nothing is bundled). */
export type { Me } from "../../src/auth/auth.routes.ts";
export type { ApiToken } from "../../src/auth/api-tokens.ts";
export type { AuditRow } from "../../src/auth/audit.ts";
export type { Role } from "../../src/auth/roles.ts";
export type { User } from "../../src/auth/users.ts";
export type { JobState } from "../../src/jobs/scheduler.ts";
export type { Settings } from "../../src/settings/settings.ts";
export type { Source } from "../../src/sources/sources.ts";
export type { Card, Dashboard, DashboardSummary, Display, Insight } from "../../src/insights/insights.repo.ts";
export type { Audience, SizePoint } from "../../src/audiences/audiences.repo.ts";
export type { Tag, TagGroup, PersonTag } from "../../src/tags/tags.repo.ts";
export type { Distribution } from "../../src/audiences/analysis.ts";
export type { MinuteStats, RejectionSample } from "../../src/ingest/stats.ts";
export type { DropReason } from "../../src/ingest/steps/step.ts";
export type { RecentEvent } from "../../src/insights/recent-events.ts";
export type { StorageStatus } from "../../src/store/storage.ts";
