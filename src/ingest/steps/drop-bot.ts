/**
 * drop_bot: on sources whose policy is `bots: "drop"` (public websites, pixels), events flagged `$bot` by
 * put_user_agent are dropped; by default they are kept and flagged (see source.ts for why).
 */
import type { Step } from "./step.ts";

export const dropBot: Step = {
  name: "drop_bot",
  run(msg, ctx) {
    return ctx.source.settings.bots === "drop" && msg.properties.$bot === true ? { drop: "bot" } : msg;
  },
};
