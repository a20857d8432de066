/**
 * The message both SDKs queue and send (Segment's shape). Type-only: the SDKs import it with `import type`, which
 * the bundler erases, so each SDK still builds from its own file alone (sdk.bundle.ts).
 */
export type Props = Record<string, unknown>;

export interface Msg {
  type: "track" | "identify" | "page" | "alias";
  messageId: string;
  timestamp: string;
  anonymousId: string;
  userId?: string | null;
  event?: string;
  name?: string;
  previousId?: string;
  properties?: Props;
  traits?: Props;
  context: Props;
  /** attempts counts failed sends (never sent: stripped before sending). */
  attempts?: number;
}
