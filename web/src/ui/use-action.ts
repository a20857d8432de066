/**
 * useAction runs a user action (a form submit, a button) with the busy flag and the error message every
 * such action needs, so pages only write what the action does.
 */
import { useState } from "preact/hooks";
import { errorMessage } from "../api.ts";

export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /** run clears the previous error, runs `fn` and keeps its failure as a message; true when it succeeded. */
  const run = async (fn: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      return true;
    } catch (e) {
      setError(errorMessage(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}
