/**
 * The session: who is logged in (GET /api/auth/me) and whether the first-run setup is open. Pages read it
 * with useSession(); login, setup and logout call refresh().
 */
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Me } from "./types.ts";

export interface Session {
  me: Me;
  refresh(): Promise<void>;
  isAdmin: boolean;
}

export const SessionCtx = createContext<Session | null>(null);

/** useSession is only used inside the logged-in layout, where the session exists. */
export function useSession(): Session {
  const s = useContext(SessionCtx);
  if (!s) throw new Error("useSession outside a logged-in page");
  return s;
}
