/** The text of sdk/browser-sdk.ts. */
export declare const browserSdkSource: string;
/** The text of sdk/miniprogram-sdk.ts. */
export declare const miniprogramSdkSource: string;
