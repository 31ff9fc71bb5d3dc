// Types of compiled-tree.js (plain JavaScript: bin/ runs before any TypeScript loader).
export declare const REPO_ROOT: string;
export declare const BUILD_DIR: string;
export declare const SOURCE_ROOTS: readonly string[];
export declare const BUILD_FILES: readonly string[];
export declare const BUILD_INFO: string;
export declare const CLOCK_MARGIN_MS: number;
export declare function latestChangeMs(dir: string): number;
export declare function sourceFiles(dir: string): string[];
export declare function sourcesChangedMs(root?: string): number;
export declare function compiledTreeFresh(root?: string, env?: NodeJS.ProcessEnv): boolean;
