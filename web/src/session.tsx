/**
 * The session: who is logged in (GET /api/auth/me) and the project settings every page formats with
 * (time zone, week start; GET /api/settings). Pages read it with useSession(); login, setup, logout and
 * the Settings page call refresh().
 */
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Me, Settings } from "./types.ts";

export interface Session {
  me: Me;
  settings: Settings;
  /** refresh re-reads the session; after "logout" the login page starts fresh (no way back to the last page). */
  refresh(after?: "logout"): Promise<void>;
  isAdmin: boolean;
  /** canOperate: operators and admins may save audiences, tags and insights. */
  canOperate: boolean;
}

export const SessionCtx = createContext<Session | null>(null);

/** useSession is only used inside the logged-in layout, where the session exists. */
export function useSession(): Session {
  const s = useContext(SessionCtx);
  if (!s) throw new Error("useSession outside a logged-in page");
  return s;
}
