// Types of compiled-tree.js (plain JavaScript: bin/ runs before any TypeScript loader).
export declare const REPO_ROOT: string;
export declare const BUILD_DIR: string;
export declare const SOURCE_ROOTS: readonly string[];
export declare const BUILD_INFO: string;
export declare function compiledTreeFresh(root?: string, env?: NodeJS.ProcessEnv): boolean;
