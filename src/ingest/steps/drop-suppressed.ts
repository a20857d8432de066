/**
 * drop_suppressed: people who asked to be forgotten stay forgotten (SPEC §4 privacy): if the identity room
 * reports any identifier of the message as suppressed, the event is dropped at the door.
 */
import type { Step } from "./step.ts";

export const dropSuppressed: Step = {
  name: "drop_suppressed",
  run(msg, ctx) {
    return ctx.isSuppressed(msg.identifiers) ? { drop: "suppressed" } : msg;
  },
};
