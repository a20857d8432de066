// The SDKs' own source text, imported as text so `bun build --compile` embeds it (sdk.bundle.ts bundles it from
// memory). Plain JavaScript because TypeScript types import attributes only for JSON: sources.d.ts gives the types.
import browser from "./browser-sdk.ts" with { type: "text" };
import miniprogram from "./miniprogram-sdk.ts" with { type: "text" };

export const browserSdkSource = browser;
export const miniprogramSdkSource = miniprogram;
